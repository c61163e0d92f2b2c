#!/usr/bin/env python3
"""Every environment variable the deployment files give the app binds to a property the app reads.

Usage: check_env_bindings.py COMPOSE_CONFIG_YAML CHART_RENDER_YAML

A variable binds when application*.yml reads it as a placeholder (${NAME:...}), or when it is the
environment form of a property (Spring's relaxed binding: dots to underscores, dashes removed or
turned into underscores, upper case) that application*.yml declares or that the frameworks read
(FRAMEWORK_PROPERTIES below). The stand-ins service is checked against what StandIns.java reads.
PyYAML comes with docker-compose v1, which .ci/lint-deploy installs.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "app/src/main/resources"
STAND_INS = ROOT / "devstack/src/main/java/com/figureforge/devstack/StandIns.java"

# Properties of Spring Boot, the Temporal starter and the JVM that the deployment files set.
FRAMEWORK_PROPERTIES = [
    "spring.profiles.active",
    "spring.config.additional-location",
    "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
    "spring.temporal.connection.mtls.cert-chain-file",
    "spring.temporal.connection.mtls.key-file",
]
# Maps whose keys are data (plan names, policy names), not property names.
MAP_PROPERTIES = ["figureforge.plans", "figureforge.rate-limits.policies"]
# Read by the JVM or the image's entrypoint, not by Spring.
PROCESS_VARIABLES = {"JAVA_TOOL_OPTIONS", "FIGUREFORGE_AOT_CACHE"}
# Read by the Temporal CLI in the chart's setup hook.
TEMPORAL_CLI_VARIABLES = {"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TLS", "TEMPORAL_API_KEY",
                          "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "SEARCH_ATTRIBUTES", "HOME"}


def env_forms(prop):
    canonical = prop.replace(".", "_").replace("-", "").upper()
    legacy = prop.replace(".", "_").replace("-", "_").upper()
    return {canonical, legacy}


def flatten(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield name
            yield from flatten(value, name)


def app_bindings():
    placeholders, forms = set(), set()
    for path in RESOURCES.glob("application*.yml"):
        text = path.read_text()
        placeholders |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)[:}]", text))
        for document in yaml.safe_load_all(text):
            for prop in flatten(document or {}):
                forms |= env_forms(prop)
    for prop in FRAMEWORK_PROPERTIES:
        forms |= env_forms(prop)
    return placeholders, forms


def binds(name, placeholders, forms):
    if name in placeholders or name in PROCESS_VARIABLES or name in forms:
        return True
    # Entries of the maps the app declares (e.g. FIGUREFORGE_PLANS_TEAM_MONTHLYIMAGES).
    return any(name.startswith(form + "_") for prop in MAP_PROPERTIES for form in env_forms(prop))


def main(compose_file, chart_file):
    placeholders, forms = app_bindings()
    stand_ins_reads = set(re.findall(r'(?:env|port)\("([A-Z0-9_]+)"', STAND_INS.read_text()))
    problems, checked = [], 0

    compose = yaml.safe_load(pathlib.Path(compose_file).read_text())
    for service, spec in compose["services"].items():
        image = str(spec.get("image", ""))
        env = spec.get("environment") or {}
        names = env.keys() if isinstance(env, dict) else [e.split("=", 1)[0] for e in env]
        if spec.get("command") == ["stand-ins"]:
            for name in names:
                checked += 1
                if name not in stand_ins_reads and name not in PROCESS_VARIABLES:
                    problems.append(f"compose {service}: {name} is not read by StandIns.java")
        elif image.startswith("${FIGUREFORGE_IMAGE") or "figureforge:" in image:
            for name in names:
                checked += 1
                if not binds(name, placeholders, forms):
                    problems.append(f"compose {service}: {name} binds to no property")

    for doc in yaml.safe_load_all(pathlib.Path(chart_file).read_text()):
        if not doc:
            continue
        kind, name = doc.get("kind"), doc["metadata"]["name"]
        if kind == "ConfigMap" and not name.endswith("-application"):
            for var in doc.get("data", {}):
                checked += 1
                if not binds(var, placeholders, forms):
                    problems.append(f"chart ConfigMap {name}: {var} binds to no property")
        elif kind in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for entry in container.get("env", []):
                    checked += 1
                    var = entry["name"]
                    ok = var in TEMPORAL_CLI_VARIABLES if kind == "Job" else binds(var, placeholders, forms)
                    if not ok:
                        problems.append(f"chart {kind} {name}: {var} binds to no property")

    for problem in problems:
        print("UNBOUND " + problem, file=sys.stderr)
    print(f"checked {checked} variables")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
