"""xenlint profiles: the guest profiles, as the rules read them."""

from __future__ import annotations

HELP = "list the guest profiles (xen, linux, freebsd): the names each guest's rules read"


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args) -> int:
    import json

    from analyzer.profiles import PROFILES

    if args.format == "json":
        print(json.dumps([profile.to_dict() for profile in PROFILES.values()], indent=2))
        return 0
    for profile in PROFILES.values():
        data = profile.to_dict()
        print(f"{profile.name}: {profile.description}")
        for key, value in data.items():
            if key in ("name", "description"):
                continue
            if isinstance(value, list):
                value = ", ".join(map(str, value)) or "-"
            elif isinstance(value, dict):
                value = "; ".join(f"{k} ({v})" for k, v in value.items()) or "-"
            print(f"  {key.replace('_', ' ')}: {value}")
        print()
    print("--profile auto (the default) takes a file's profile from its path, else from the kind of "
          "tree it is in, else from the words it spells; Xen when nothing tells.")
    return 0
