#!/usr/bin/env bash
# A stand-in for `gcloud` that the infra tests put first on PATH. It appends its argv as one JSON
# line to $FAKE_GCLOUD_LOG and keeps a model of the project in the directory $FAKE_GCLOUD_STATE,
# so a second run of a script sees what the first one created:
#
# - describe answers like gcloud: exit 1 with NOT_FOUND on stderr for an unknown resource,
#   otherwise the requested --format=value(FIELD,…) of what was created (or seeded by the test);
# - create stores the resource and fails with ALREADY_EXISTS if it exists (so a script that
#   creates twice fails its test); update of an unknown resource fails with NOT_FOUND;
# - list prints what gcloud prints for the formats the scripts use;
# - IAM bindings, `services enable` and the like succeed.
#
# State directory: project-number; functions/NAME (its URL: a deployed function);
# fail-describe (optional: every describe fails with this text); resources/KEY, where KEY is
# "GROUP|ID|COLLECTION-GROUP" with "/" written %2F, holding the group, the ID, then one argument
# per line of the create and later updates.
#
# Bash, not Node: scripts call gcloud hundreds of times and a Node start per call made the tests
# slow. Flags must be written --name=value, a convention the infra scripts keep.
set -euo pipefail
shopt -s nullglob

state="$FAKE_GCLOUD_STATE"

# The call log: argv as one JSON array per line (no subshells: this runs hundreds of times).
line="["
for arg in "$@"; do
  arg="${arg//\\/\\\\}"
  arg="${arg//\"/\\\"}"
  arg="${arg//$'\n'/\\n}"
  arg="${arg//$'\t'/\\t}"
  arg="${arg//$'\r'/\\r}"
  line+="\"${arg}\","
done
printf '%s]\n' "${line%,}" >>"$FAKE_GCLOUD_LOG"

fail() {
  printf '%s\n' "$1" >&2
  exit "${2:-1}"
}

# ---- parse: positionals up to and including the verb, then the resource ID; flags anywhere.
verbs=" describe create update list enable deploy add-iam-policy-binding add-invoker-policy-binding add-backend "
positionals=()
flag_args=()
for arg in "$@"; do
  if [[ "$arg" == --* ]]; then flag_args+=("$arg"); else positionals+=("$arg"); fi
done
verb_at=-1
for i in "${!positionals[@]}"; do
  if [[ "$verbs" == *" ${positionals[$i]} "* ]]; then
    verb_at=$i
    break
  fi
done
((verb_at >= 0)) || fail "stand-in gcloud: no verb in: $*" 2
verb="${positionals[$verb_at]}"
group="${positionals[*]:0:$verb_at}"
name="${positionals[$((verb_at + 1))]:-}"
command="gcloud.${group// /.}.${verb}"

flag() { # NAME: the last --NAME=VALUE of this call, in REPLY (no subshell)
  local a
  REPLY=""
  for a in "${flag_args[@]}"; do
    if [[ "$a" == "--$1="* ]]; then REPLY="${a#--"$1"=}"; fi
  done
}
flag project
project="$REPLY"
[[ -n "$project" || "$group" == projects || "$verb" == deploy ]] ||
  fail "stand-in gcloud: $command without --project" 2

if [[ -f "$state/fail-describe" && "$verb" == describe && "$group" != projects ]]; then
  fail "ERROR: ($command) $(cat "$state/fail-describe")"
fi

# ---- the resource this call is about
id="$name"
if [[ -z "$id" ]]; then
  flag database
  id="$REPLY"
fi
case "$group" in
  "firestore fields ttls" | "firestore indexes fields") group=field ;;
esac
# A service account is created by ID and described by email.
if [[ "$group" == "iam service-accounts" && "$verb" == create ]]; then
  id="${name}@${project}.iam.gserviceaccount.com"
fi
# Composite indexes have server-made IDs; the definition identifies them.
if [[ "$group" == "firestore indexes composite" ]]; then
  id=""
  for a in "${flag_args[@]}"; do
    if [[ "$a" == --field-config=* ]]; then id+="${a#--field-config=};"; fi
  done
fi
flag collection-group
key="${group}|${id}|${REPLY}"
# The file name is the key with its slashes escaped.
file="$state/resources/${key//\//%2F}"
mkdir -p "$state/resources"

store() { # FILE GROUP ID: append this call's flags to a resource
  if [[ ! -f "$1" ]]; then printf '%s\n%s\n' "$2" "$3" >"$1"; fi
  local a
  for a in "${flag_args[@]}"; do printf '%s\n' "${a//$'\n'/ }" >>"$1"; done
}
stored_flag() { # FILE NAME: last stored --NAME=VALUE
  { grep -E -- "^--$2=" "$1" || true; } | tail -n 1 | cut -d= -f2-
}
has_flag() { grep -qx -- "--$2" "$1"; }

field() { # FILE FIELD: what --format=value(FIELD) prints for the resource in FILE
  case "$2" in
    projectNumber) cat "$state/project-number" ;;
    serviceConfig.uri) cat "$1" ;;
    topic) printf 'projects/%s/topics/%s' "$project" "$(stored_flag "$1" topic)" ;;
    enableMessageOrdering) if has_flag "$1" enable-message-ordering; then printf True; fi ;;
    filter) stored_flag "$1" message-filter ;;
    ttlConfig.state) if has_flag "$1" enable-ttl; then printf ACTIVE; fi ;;
    indexConfig.usesAncestorConfig)
      if has_flag "$1" disable-indexes; then printf False; else printf True; fi
      ;;
    'backends[].group') { grep -E '^backend=' "$1" || true; } | cut -d= -f2- | paste -sd';' - ;;
    id) printf 4242424242424242 ;;
    address) printf 203.0.113.7 ;;
    etag) printf etag-1 ;;
  esac
}

describe() { # FILE
  local format fields out=() f
  flag format
  format="$REPLY"
  if [[ "$format" =~ ^value\((.*)\)$ ]]; then
    IFS=, read -r -a fields <<<"${BASH_REMATCH[1]}"
    for f in "${fields[@]}"; do out+=("$(field "$1" "$f")"); done
    (
      IFS=$'\t'
      printf '%s\n' "${out[*]}"
    )
  fi
}

display_name_of() { # JSON file: its first "displayName" (the top-level one)
  grep -m1 -oE '"displayName": *"[^"]*"' "$1" | sed -E 's/^"displayName": *"(.*)"$/\1/'
}

case "$group:$verb" in
  projects:describe)
    describe "$state/project-number"
    ;;
  functions:describe)
    [[ -f "$state/functions/$name" ]] ||
      fail "ERROR: ($command) NOT_FOUND: Resource 'functions/$name' was not found"
    describe "$state/functions/$name"
    ;;
  *:describe)
    [[ -f "$file" ]] || fail "ERROR: ($command) NOT_FOUND: Resource not found (resource=$name)"
    describe "$file"
    ;;
  "alpha monitoring policies:create" | "monitoring dashboards:create")
    kind=dashboards
    [[ "$group" == *policies ]] && kind=alertPolicies
    id="projects/${project}/${kind}/$(find "$state/resources" -type f | wc -l | tr -d ' ')"
    key="$group|$id|"
    file="$state/resources/${key//\//%2F}"
    flag policy-from-file
    source_file="$REPLY"
    if [[ -z "$source_file" ]]; then
      flag config-from-file
      source_file="$REPLY"
    fi
    store "$file" "$group" "$id"
    printf 'displayName=%s\n' "$(display_name_of "$source_file")" >>"$file"
    ;;
  "beta services identity:create") ;;
  *:create)
    [[ ! -f "$file" ]] || fail "ERROR: ($command) ALREADY_EXISTS: $name already exists"
    store "$file" "$group" "$id"
    ;;
  *:update)
    [[ -f "$file" || "$group" == field ]] ||
      fail "ERROR: ($command) NOT_FOUND: Resource not found (resource=$name)"
    store "$file" "$group" "$id"
    ;;
  *:add-backend)
    [[ -f "$file" ]] || fail "ERROR: ($command) NOT_FOUND: $name"
    flag network-endpoint-group
    printf 'backend=%s\n' "$REPLY" >>"$file"
    ;;
  "firestore indexes composite:list")
    # value(name.segment(5),queryScope,fields[].fieldPath.list(),fields[].order.list()), with the
    # __name__ field Firestore appends to every composite index, in the last field's direction.
    for f in "$state"/resources/*; do
      [[ "$(head -n 1 "$f")" == "$group" ]] || continue
      paths=()
      orders=()
      while IFS= read -r config; do
        config="${config#--field-config=}"
        path_part="${config%%,*}"
        order_part="${config##*order=}"
        paths+=("${path_part#field-path=}")
        orders+=("$(tr '[:lower:]' '[:upper:]' <<<"$order_part")")
      done < <(grep -E '^--field-config=' "$f")
      paths+=(__name__)
      orders+=("${orders[${#orders[@]} - 1]}")
      scope="$(stored_flag "$f" query-scope | tr '[:lower:]-' '[:upper:]_')"
      printf '%s\t%s\t%s\t%s\n' "$(stored_flag "$f" collection-group)" "${scope:-COLLECTION}" \
        "$(IFS=,; echo "${paths[*]}")" "$(IFS=,; echo "${orders[*]}")"
    done
    ;;
  "alpha monitoring policies:list" | "monitoring dashboards:list")
    flag filter
    wanted="${REPLY#displayName=\"}"
    wanted="${wanted%\"}"
    for f in "$state"/resources/*; do
      [[ "$(head -n 1 "$f")" == "$group" ]] || continue
      if grep -qxF "displayName=${wanted}" "$f"; then sed -n 2p "$f"; fi
    done
    ;;
  *:list)
    fail "stand-in gcloud: no list output modelled for $command" 2
    ;;
  *) ;; # IAM bindings, services enable, deploys: succeed
esac
