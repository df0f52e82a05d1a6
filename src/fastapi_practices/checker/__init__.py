"""`fastapi-practices check`: finds this catalogue's practices' violations in any FastAPI
codebase, each finding linked to its practice's page. Standard library only: installing
the checker for CI pulls nothing of the site (no mkdocs, no test tools)."""
