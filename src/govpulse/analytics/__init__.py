"""Analytics: functions (query, scope, stores) -> Pydantic results, shared by the API, the pages and the CLI."""
