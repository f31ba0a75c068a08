"""The pure rule engine: compiled watch rules over documents. No I/O."""

from detectors.compiled import ALL
from detectors.compiler import compile_rules
from detectors.engine import RuleSet
from detectors.errors import RuleError, RuleErrors
from detectors.spec import RuleFile
from detectors.types import Detection, Document, Place, Severity

__all__ = [
    "ALL", "Detection", "Document", "Place", "RuleError", "RuleErrors", "RuleFile", "RuleSet",
    "Severity",
    "compile_rules",
]
