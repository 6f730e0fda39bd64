"""One exception root for faxintake; each error carries the exit code the CLI returns and a hint.

| exit | error | meaning |
|---|---|---|
| 0 | - | every input got a result (a return or a triage is a normal result) |
| 1 | FaxIntakeError | unexpected failure of the run itself |
| 2 | ConfigError | bad option, missing roster/provider file, bad settings |
| 3 | InputError | an input cannot be read (recorded as the input's `error`; the run goes on) |
| 4 | FormDefinitionError | a form definition file is malformed |
| 5 | OcrError | the OCR engine is missing, crashed or timed out |
| 6 | StoreError | the store cannot be reached or written |
"""

from __future__ import annotations


class FaxIntakeError(Exception):
    exit_code = 1
    hint = "see the message above; rerun with --verbose for details"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.args[0]} ({self.hint})" if self.hint else str(self.args[0])


class ConfigError(FaxIntakeError):
    exit_code = 2
    hint = "check the command's options and the paths it names"


class InputError(FaxIntakeError):
    """An input file that cannot be read as a fax. The original is kept; the result records this."""

    exit_code = 3
    hint = "ask the sender to fax it again, or convert it to PDF/TIFF and reprocess"


class FormDefinitionError(FaxIntakeError):
    exit_code = 4
    hint = "fix the form definition file named in the message"


class OcrError(FaxIntakeError):
    exit_code = 5
    hint = "check that Tesseract 5 and its language data are installed (apt-get install tesseract-ocr)"


class StoreError(FaxIntakeError):
    exit_code = 6
    hint = "check the store URL (--store) and that the database is reachable"
