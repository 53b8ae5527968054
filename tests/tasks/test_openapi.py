from typing import Any

import pytest

from teamnotes.app import create_app
from tests.conftest import make_settings

OPERATIONS = [
    ("get", ""),
    ("post", ""),
    ("get", "/{task_id}"),
    ("put", "/{task_id}"),
    ("patch", "/{task_id}"),
    ("patch", "/{task_id}/complete"),
    ("delete", "/{task_id}"),
]
STYLES = {"/tasks": "tasks", "/api/{user_id}/tasks": "tasks (user-scoped paths)"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # Building the app opens no connection: this database is never created.
    settings = make_settings("sqlite:///never-opened.db", tmp_path_factory.mktemp("openapi"))
    return create_app(settings).openapi()


class TestTasksInTheOpenAPIDocument:
    @pytest.mark.parametrize(("prefix", "tag"), STYLES.items())
    @pytest.mark.parametrize(("method", "path"), OPERATIONS)
    def test_every_operation_in_both_styles(
        self, document: dict[str, Any], prefix: str, tag: str, method: str, path: str
    ) -> None:
        operation = document["paths"][prefix + path][method]
        assert operation["tags"] == [tag]
        assert operation["description"]
        assert {"401", "422"} <= operation["responses"].keys()
        parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
        assert ("user_id" in parameters) is prefix.startswith("/api/")
        if path or prefix.startswith("/api/"):
            assert "404" in operation["responses"]

    def test_operation_ids_are_unique(self, document: dict[str, Any]) -> None:
        ids = [
            operation["operationId"]
            for item in document["paths"].values()
            for operation in item.values()
        ]
        assert len(ids) == len(set(ids))

    def test_the_toggle_body_is_an_optional_object(self, document: dict[str, Any]) -> None:
        body = document["paths"]["/tasks/{task_id}/complete"]["patch"]["requestBody"]
        assert not body.get("required", False)
        schema = body["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/TaskCompletion"}
