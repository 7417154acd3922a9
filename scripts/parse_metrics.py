#!/usr/bin/env python3
"""Parses a Prometheus text exposition with PyPI prometheus-client's own parser
(prometheus_client.parser.text_string_to_metric_families) and prints one JSON object per sample:
{"family", "type", "help", "name", "labels", "value"}. A file the parser rejects exits 1 with its
error. Used by the /metrics integration tests (Tests/IntegrationTests/MetricsTests.swift)."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as error:  # the parser's own error, shown to the test
        print(f"prometheus-client rejected the text: {error!r}")
        return 1
    for family in families:
        for sample in family.samples:
            print(json.dumps({
                "family": family.name, "type": family.type, "help": family.documentation,
                "name": sample.name, "labels": sample.labels, "value": sample.value,
            }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
