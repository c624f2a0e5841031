"""Extract the rule inventory from the seed digest into spec/digest/rules.json.

Usage: python scripts/extract_digest_rules.py PATH/TO/seed-digest.md

The digest lists every normative rule of the five seed documents as a table row
`| ID | class | citation | quote | gloss |`; `stepcheck coverage` compares the specs'
citations with this inventory.
"""

import json
import re
import sys
from pathlib import Path

DOCUMENTS = {
    "ST": "somerset-tam-practice-note.txt",
    "DV": "devon-tam-protocol-2024.txt",
    "SP": "somerset-case-transfer-policy.txt",
    "HT": "hertfordshire-step-up-step-down-protocol.txt",
    "BK": "buckinghamshire-case-transfer-protocol.txt",
}
ROW = re.compile(r"^\| ([A-Z]{2}-\d{2,3}) \| ([^|]*) \| ([^|]*) \| (.*?) \| (.*) \|\s*$")


def main() -> None:
    rules = []
    for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            rule_id, kind, citation, quote, _gloss = (part.strip() for part in found.groups())
            rules.append(
                {
                    "id": rule_id,
                    "document": DOCUMENTS[rule_id[:2]],
                    "class": kind,
                    "citation": citation,
                    "quote": quote.strip('"'),
                }
            )
    payload = {
        "source": "the project's seed digest (rule inventory of the five seed documents)",
        "rules": rules,
    }
    out = Path(__file__).resolve().parent.parent / "spec" / "digest" / "rules.json"
    out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(rules)} rules written to {out.name}")


if __name__ == "__main__":
    main()
