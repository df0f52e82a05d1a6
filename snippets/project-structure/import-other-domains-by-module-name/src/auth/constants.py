from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "USER_NOT_FOUND"
    INACTIVE = "USER_INACTIVE"
