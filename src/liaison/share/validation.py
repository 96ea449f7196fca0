"""The OASIS STIX 2.1 validator (stix2-validator), in strict mode, with Liaison's two documented exceptions.

Strict mode makes every recommendation (SHOULD) an error. Two recommendations are off, and only two:

- ``uuid-check`` (103) wants UUIDv4 in SDO and SRO IDs. Liaison's IDs are UUIDv5 over canonical keys on
  purpose, as OpenCTI's are: exporting twice must give the same IDs, and a report re-ingested must keep its
  object's ID.
- ``relationship-types`` (202) wants only the relationship types the specification suggests per pair of
  types. Liaison follows OpenCTI where STIX leaves the choice: an individual is ``part-of`` an
  organisation, a type pair the specification permits but does not list.

The custom object type is not an exception: ``x-liaison-event`` is declared by an extension definition
(§7.3, ``new-sdo``), which the validator accepts, and it is checked against its own JSON schema
(``liaison/schemas/x-liaison-event.json``).

On import, partners' tools (OpenCTI, MISP) still write STIX 2.0-style custom properties
(``x_opencti_*``) without declaring them in an extension definition; the ``extensions-use`` (401)
recommendation is therefore replaced by the naming rule ``custom-prefix`` (101) for received bundles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from liaison.share.extensions import SCHEMAS_DIR

if TYPE_CHECKING:
    from stix2validator import ValidationOptions

EXPORT_DISABLED = ("uuid-check", "relationship-types", "extref-hashes")
IMPORT_DISABLED = (*EXPORT_DISABLED, "extensions-use")
# Giving the validator a list of disabled checks also drops these two from its defaults: ask for them.
ALWAYS_ENABLED = ("extension-description", "extension-properties")


def validator_options(for_import: bool = False) -> ValidationOptions:
    """The options Liaison validates with (exports in the tests, and every import)."""
    # Imported when first needed: the validator's schema formats take about a second to load, which
    # every CLI command would otherwise pay at start-up.
    from stix2validator import ValidationOptions

    return ValidationOptions(
        version="2.1",
        strict=True,
        silent=True,
        disabled=",".join(IMPORT_DISABLED if for_import else EXPORT_DISABLED),
        enabled=",".join(ALWAYS_ENABLED),
        schema_dir=str(SCHEMAS_DIR),
    )


def validation_errors(bundle: Mapping[str, Any], for_import: bool = False) -> list[str]:
    """The validator's messages for a bundle; empty when it is valid."""
    from stix2validator import validate_instance
    from stix2validator.errors import NoJSONFileFoundError, SchemaInvalidError, ValidationError

    try:
        result = validate_instance(dict(bundle), validator_options(for_import))
    except (ValidationError, SchemaInvalidError, NoJSONFileFoundError) as error:
        return [str(error)]
    except RecursionError:
        return ["nested too deeply for the validator; a STIX object is a few levels deep"]
    except (TypeError, AttributeError) as error:
        # The validator's own checks assume the schema's types (e.g. a timestamp that is a number).
        return [f"a property has the wrong JSON type ({error})"]
    return [str(error) for error in result.errors]
