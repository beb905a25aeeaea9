#!/usr/bin/python3
"""Checks every devinfo bulk body the stand-in Jira accepted against
Atlassian's published schema (issue #27).

The stand-in writes each body it answered 202 to $JIRALINK_STANDIN_DEVINFO_BODIES
(tests/standin/standin_devinfo.h); ctest points every test that can run the
stand-in at one directory (tests/CMakeLists.txt, fixture "devinfo_bodies") and
runs this check after them. The schema is the request body of
storeDevelopmentInformation, vendored with its provenance in
tests/fixtures/devinfo/.

Before the bodies, the validator must refuse bodies known to be wrong (so a
validator that accepts everything cannot pass). Exit 0: every body is valid;
1: a body is not (each named, with the failing path); 77: no body was recorded
(skipped: none of the tests that ran sent one).

Uses Debian's python3-jsonschema (Draft 4 rules: the OpenAPI 3.0 schema
object's keywords used here - type, required, properties, items, enum,
maxLength, minItems, maxItems, uniqueItems, minimum, additionalProperties -
mean the same there).
"""
import argparse
import copy
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    print("bulk_body_schema_test: python3-jsonschema is not installed "
          "(apt-get install python3-jsonschema)", file=sys.stderr)
    sys.exit(77)


def good_body():
    commit = {
        "id": "a7727ee6350c33cdf90826dc21abaa26a5704370",
        "hash": "a7727ee6350c33cdf90826dc21abaa26a5704370",
        "displayId": "a7727ee6350",
        "message": "PROJ-1 a change",
        "author": {"name": "Ada", "email": "ada@example.com"},
        "authorTimestamp": "2026-12-08T00:30:00+01:00",
        "url": "https://git.example.com/c/a7727ee",
        "fileCount": 1,
        "issueKeys": ["PROJ-1"],
        "updateSequenceId": 1,
    }
    return {
        "repositories": [{
            "id": "platform~2Fapi", "name": "platform/api",
            "url": "https://git.example.com/platform/api", "updateSequenceId": 1,
            "commits": [commit],
        }],
        "preventTransitions": True,
        "operationType": "NORMAL",
        "properties": {"tool": "jiralink"},
    }


def known_bad_bodies():
    """(what is wrong, body) pairs the schema must refuse."""
    bad = []

    def variant(what, change):
        body = good_body()
        change(body)
        bad.append((what, body))

    commit = lambda b: b["repositories"][0]["commits"][0]  # noqa: E731
    variant("a commit without issueKeys", lambda b: commit(b).pop("issueKeys"))
    variant("a commit with no issue key", lambda b: commit(b).update(issueKeys=[]))
    variant("101 issue keys",
            lambda b: commit(b).update(issueKeys=["PROJ-%d" % i for i in range(101)]))
    variant("a message of 1025 characters", lambda b: commit(b).update(message="x" * 1025))
    variant("an author without email", lambda b: commit(b)["author"].pop("email"))
    variant("an unknown flag", lambda b: commit(b).update(flags=["SQUASH"]))
    variant("101 repositories",
            lambda b: b.update(repositories=[copy.deepcopy(b["repositories"][0])] * 101))
    variant("401 commits",
            lambda b: b["repositories"][0].update(commits=[commit(b)] * 401))
    variant("a repository without updateSequenceId",
            lambda b: b["repositories"][0].pop("updateSequenceId"))
    variant("a string updateSequenceId", lambda b: commit(b).update(updateSequenceId="1"))
    return bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", required=True, type=pathlib.Path)
    parser.add_argument("--bodies", required=True, type=pathlib.Path)
    args = parser.parse_args()

    schema = json.loads(args.schema.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema)

    failures = 0
    if list(validator.iter_errors(good_body())):
        print("the schema refuses the known-good body:", file=sys.stderr)
        for error in validator.iter_errors(good_body()):
            print("  %s: %s" % (list(error.absolute_path), error.message), file=sys.stderr)
        failures += 1
    for what, body in known_bad_bodies():
        if not list(validator.iter_errors(body)):
            print("the schema accepts a wrong body: %s" % what, file=sys.stderr)
            failures += 1

    files = sorted(args.bodies.glob("*.json")) if args.bodies.is_dir() else []
    for path in files:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            print("%s: not JSON: %s" % (path, error), file=sys.stderr)
            failures += 1
            continue
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        for error in errors[:20]:
            where = "/".join(str(p) for p in error.absolute_path) or "(the body)"
            print("%s: %s: %s" % (path, where, error.message[:300]), file=sys.stderr)
        failures += 1 if errors else 0

    if failures:
        print("bulk_body_schema_test: %d failure(s)" % failures, file=sys.stderr)
        return 1
    if not files:
        print("bulk_body_schema_test: no bulk body was recorded in %s (skipped)" % args.bodies)
        return 77
    print("bulk_body_schema_test: %d accepted bulk bodies match %s"
          % (len(files), args.schema.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
