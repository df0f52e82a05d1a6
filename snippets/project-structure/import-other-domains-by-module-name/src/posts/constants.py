from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "POST_NOT_FOUND"
    FORBIDDEN = "POST_FORBIDDEN"
