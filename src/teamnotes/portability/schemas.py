from pydantic import BaseModel, ConfigDict, Field

from teamnotes.kit.fields import ClientTimestamp
from teamnotes.tasks.schemas import TaskCreate

FORMAT = "teamnotes"
FORMAT_VERSION = 1


class ImportCounts(BaseModel):
    """What an import made: new notes and tasks, and the files it left out."""

    notes: int = Field(description="Notes created, one per Markdown file.")
    tasks: int = Field(description="Tasks created, from a Team Notes export's `tasks.json`.")
    skipped: int = Field(description="Files that are neither (images, attachments, …).")


class TaskImport(TaskCreate):
    """A task of `tasks.json`, as its GET returned it: the fields a create takes, and
    the times it keeps; the rest (id, version, authors) belongs to the old workspace."""

    model_config = ConfigDict(extra="ignore")

    created_at: ClientTimestamp | None = None
    updated_at: ClientTimestamp | None = None
    completed_at: ClientTimestamp | None = None
