"""A source's connector settings leave the API without their secrets."""

from govpulse.web.api.routes.sources import redact_secrets


def test_secrets_are_hidden_and_references_to_the_environment_kept():
    definition = {
        "connector": {"kind": "dhis2", "settings": {
            "base_url": "https://hmis.example", "username": "reader", "password": "s3cret",
            "auth": {"type": "oauth2_client_credentials", "client_secret": "abc", "token_url": "https://t"},
            "headers": [{"key": "xyz"}], "api_key": "env:HMIS_KEY"}},
        "mapping": {"org_unit": {"column": "orgunit"}},
    }
    shown = redact_secrets(definition)
    settings = shown["connector"]["settings"]
    assert (settings["password"], settings["auth"]["client_secret"], settings["headers"][0]["key"]) == ("***",) * 3
    assert settings["api_key"] == "env:HMIS_KEY" and settings["username"] == "reader"
    assert settings["auth"]["token_url"] == "https://t" and shown["mapping"] == definition["mapping"]
