"""HL7's FHIR R4 rules, from the definitions `make test` unpacks (tests/node/packages.txt).

The official JSON schema, and every FHIRPath invariant of a resource's definition, of the
datatypes its elements use and of theirs, evaluated with fhirpathpy: not a chosen few.
"""
import functools
import json
from pathlib import Path

import fhirpathpy
from fhirpathpy.models import models

DEFINITIONS = Path(__file__).parent / "node" / "@medplum" / "definitions" / "dist" / "fhir" / "r4"
# FHIRPath functions fhirpathpy lacks, and the check that stands in for them here.
UNSUPPORTED = {"htmlChecks": "narrative_problems"}
XHTML = "{http://www.w3.org/1999/xhtml}"
# What FHIR narrative allows (R4 "Narrative": basic HTML, no active content).
NARRATIVE_TAGS = {"div", "p", "span", "b", "i", "em", "strong", "br", "ul", "ol", "li", "table",
                  "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "a",
                  "pre", "code", "caption", "colgroup", "col", "img", "sub", "sup", "small",
                  "big", "hr", "dl", "dt", "dd", "blockquote", "tt", "cite", "abbr", "acronym",
                  "address", "bdo", "dfn", "kbd", "q", "samp", "var", "tfoot"}


@functools.cache
def definitions():
    """Map each resource and datatype name to its StructureDefinition."""
    found = {}
    for name in ("profiles-resources.json", "profiles-types.json"):
        for entry in json.loads((DEFINITIONS / name).read_text())["entry"]:
            resource = entry["resource"]
            if resource["resourceType"] == "StructureDefinition" and resource["kind"] != "logical":
                found.setdefault(resource["id"], resource)
    return found


@functools.cache
def schema_validator():
    """Return a validator for HL7's R4 JSON schema."""
    import jsonschema
    schema = json.loads((DEFINITIONS / "fhir.schema.json").read_text())
    return jsonschema.Draft6Validator(schema)


@functools.cache
def invariants(type_name, depth=0):
    """Return (path, key, severity, expression) for a type, its elements and their types."""
    found, seen = [], set()
    for element in definitions()[type_name]["snapshot"]["element"]:
        path = element["path"].replace("[x]", "")
        for constraint in element.get("constraint", ()):
            if "expression" in constraint and (path, constraint["key"]) not in seen:
                seen.add((path, constraint["key"]))
                found.append((path, constraint["key"], constraint["severity"],
                              constraint["expression"]))
        if path == type_name or depth > 4:
            continue
        kinds = element.get("type", ())
        for kind in kinds:
            code = kind["code"]
            if code in definitions() and code[0].isupper() and code not in ("Element",
                                                                            "BackboneElement",
                                                                            "Resource",
                                                                            "Extension"):
                # A choice of types: each type's invariants hold for its own values only.
                typed = f"{path}.ofType({code})" if len(kinds) > 1 else path
                for inner, key, severity, expression in invariants(code, depth + 1):
                    found.append((typed + inner[len(code):], key, severity, expression))
    return tuple(found + nested(type_name, found))


def nested(type_name, found):
    """Return the invariants of elements that repeat another (an item's items, one level)."""
    more = []
    for element in definitions()[type_name]["snapshot"]["element"]:
        target = element.get("contentReference", "#")[1:]
        for path, key, severity, expression in found if target else ():
            if path == target or path.startswith(target + "."):
                more.append((element["path"] + path[len(target):], key, severity, expression))
    return more


def has_value(inputs):
    """FHIRPath hasValue(): one primitive with a value (fhirpathpy lacks it)."""
    return len(inputs) == 1 and inputs[0] is not None and not isinstance(inputs[0], (dict, list))


FUNCTIONS = {"hasValue": {"fn": has_value, "arity": {0: []}}}
OPTIONS = {"userInvocationTable": FUNCTIONS, "traceFn": lambda label, value: None}
RESERVED = {"div", "mod", "and", "or", "xor", "implies", "as", "is", "in", "contains"}


@functools.cache
def compiled(expression):
    """Compile one FHIRPath expression once, for the R4 model."""
    return fhirpathpy.compile(expression, models["r4"], OPTIONS)


def fhirpath(path):
    """Write an element path as FHIRPath (a name like `div` is an operator there)."""
    return ".".join(f"`{part}`" if part in RESERVED else part for part in path.split("."))


def present(resource, prefix=None):
    """Return the element paths a resource's JSON holds, as tuples of names."""
    prefix = prefix or (resource["resourceType"],)
    found = {prefix}
    for key, value in resource.items():
        for item in value if isinstance(value, list) else [value]:
            found.add(prefix + (key,))
            if isinstance(item, dict) and key != "resource":
                found |= present(item, prefix + (key,))
    return found


def held(path, paths):
    """Tell whether any element is at a path (a choice `value` matches `valueString`)."""
    parts = tuple(p for p in path.split(".") if not p.startswith("ofType("))
    return any(len(p) == len(parts) and all(a.startswith(b) for a, b in zip(p, parts))
               for p in paths)


def broken(resource):
    """Return the invariants a resource breaks, as "key at path: expression" lines."""
    found, paths = [], present(resource)
    for path, key, _, expression in invariants(resource["resourceType"]):
        if any(f"{name}(" in expression for name in UNSUPPORTED):
            continue  # checked by the test that names the stand-in
        if not held(path, paths):
            continue  # no element there: the invariant holds for each of none
        # An invariant holds for each element at its path, evaluated with it as focus.
        result = compiled(f"{fhirpath(path)}.all({expression})")(
            resource, {"resource": resource, "rootResource": resource})
        if result != [True]:
            found.append(f"{key} at {path}: {expression}")
    return found


def narrative_problems(resource):
    """Stand in for txt-1 and txt-2 (htmlChecks): plain XHTML with some text, no script."""
    from xml.etree import ElementTree
    div = resource.get("text", {}).get("div")
    if div is None:
        return []
    root = ElementTree.fromstring(div)
    found = [] if root.tag == XHTML + "div" else ["txt-1: the narrative is not an XHTML div"]
    for element in root.iter():
        if not element.tag.startswith(XHTML) or element.tag[len(XHTML):] not in NARRATIVE_TAGS:
            found.append(f"txt-1: {element.tag} is not allowed in a narrative")
        found += [f"txt-1: attribute {name}" for name in element.attrib
                  if name.lower().startswith("on")]
    if not "".join(root.itertext()).strip():
        found.append("txt-2: the narrative has no text")
    return found


def every_resource(bundle):
    """Yield the Bundle and each resource in it."""
    yield bundle
    for entry in bundle.get("entry", ()):
        yield entry["resource"]


def answered(response):
    """Map each answered linkId of a QuestionnaireResponse to (its group, its answers)."""
    return {item["linkId"]: (group["linkId"], item["answer"])
            for group in response.get("item", ()) for item in group.get("item", ())}


def enabled(item, response):
    """Tell whether a Questionnaire item is enabled by a response (enableWhen, SDC's
    enableWhenExpression)."""
    answers = answered(response)
    for condition in item.get("enableWhen", ()):
        given = answers.get(condition["question"], (None, []))[1]
        if condition["answerCoding"]["code"] not in [a.get("valueCoding", {}).get("code")
                                                     for a in given]:
            return False
    for extension in item.get("extension", ()):
        if extension["url"].endswith("sdc-questionnaire-enableWhenExpression"):
            result = compiled(extension["valueExpression"]["expression"])(
                response, {"resource": response})
            if result != [True]:
                return False
    return True


def response_problems(questionnaire, response):
    """Say where a response does not follow its Questionnaire: its nesting, an answer to
    an item not enabled, a required item enabled and left unanswered."""
    found = []
    groups = {q["linkId"]: group["linkId"] for group in questionnaire["item"]
              for q in group["item"]}
    items = {q["linkId"]: q for group in questionnaire["item"] for q in group["item"]}
    for link_id, (group, _) in answered(response).items():
        if groups.get(link_id) != group:
            found.append(f"{link_id}: answered under {group}, asked under {groups.get(link_id)}")
        elif not enabled(items[link_id], response):
            found.append(f"{link_id}: answered, but not enabled for this patient")
    for link_id, item in items.items():
        if item.get("required") and enabled(item, response) and \
                link_id not in answered(response):
            found.append(f"{link_id}: required, enabled and not answered")
    return found
