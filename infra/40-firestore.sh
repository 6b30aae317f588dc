#!/usr/bin/env bash
# The Firestore database, its composite indexes and its TTL policies, from firestore.indexes.json
# (the Firebase CLI's format, so `firebase deploy --only firestore:indexes` reads the same file).
# Composite index builds run in the background (--async): queries needing a new index fail with
# FAILED_PRECONDITION until it is READY (`gcloud firestore indexes composite list`). Field changes
# (TTL, exemptions) wait, because Firestore runs one operation per field at a time.
# Usage: PROJECT_ID=… REGION=… ENV=… infra/40-firestore.sh   (needs node to read the JSON)
#   FIRESTORE_PITR=true  enables point-in-time recovery when creating the database
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

db=(--database="$FIRESTORE_DATABASE")

if exists firestore databases describe "${db[@]}"; then
  log "Firestore database ${FIRESTORE_DATABASE} exists"
else
  log "creating Firestore database ${FIRESTORE_DATABASE} in ${FIRESTORE_LOCATION}"
  create=(--location="$FIRESTORE_LOCATION" --type=firestore-native --delete-protection)
  if [[ "${FIRESTORE_PITR:-false}" == true ]]; then create+=(--enable-pitr); fi
  gc firestore databases create "${db[@]}" "${create[@]}"
fi

# One tab-separated line per definition:
#   index  GROUP  SCOPE  field,field,…  ORDER,ORDER,…
#   field  GROUP  FIELD  ttl(true|false)  exempt(true|false)
definitions="$(node - "${INFRA_DIR}/firestore.indexes.json" <<'JS'
const { indexes = [], fieldOverrides = [] } = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
for (const i of indexes) {
  const f = i.fields.map((x) => [x.fieldPath, x.order]);
  if (f.some(([, order]) => !order)) throw new Error(`only ordered index fields are supported: ${JSON.stringify(i)}`);
  console.log(['index', i.collectionGroup, i.queryScope ?? 'COLLECTION', f.map((x) => x[0]).join(','), f.map((x) => x[1]).join(',')].join('\t'));
}
for (const o of fieldOverrides) {
  const exempt = Array.isArray(o.indexes) && o.indexes.length === 0;
  console.log(['field', o.collectionGroup, o.fieldPath, String(o.ttl === true), String(exempt)].join('\t'));
}
JS
)"

# What exists, in the same shape. Firestore appends __name__ (in the direction of the last field)
# to every composite index; it is not part of the definition, so it is dropped here.
existing=""
while IFS=$'\t' read -r group scope fields orders; do
  [[ -n "$group" ]] || continue
  if [[ "$fields" == *",__name__" ]]; then
    fields="${fields%,__name__}"
    orders="${orders%,*}"
  fi
  existing+="${group}|${scope}|${fields}|${orders}"$'\n'
done <<<"$(gc firestore indexes composite list "${db[@]}" \
  --format='value(name.segment(5),queryScope,fields[].fieldPath.list(),fields[].order.list())')"

# Read on fd 3: gcloud inside the loop must not be able to swallow the definitions from stdin.
while IFS=$'\t' read -r -u 3 kind group a b c; do
  case "$kind" in
    index)
      scope="$a" fields="$b" orders="$c"
      if grep -qxF "${group}|${scope}|${fields}|${orders}" <<<"$existing"; then
        log "index ${group}(${fields}) exists"
        continue
      fi
      log "creating index ${group}(${fields} ${orders})"
      field_configs=()
      IFS=, read -r -a names <<<"$fields"
      IFS=, read -r -a directions <<<"$orders"
      for n in "${!names[@]}"; do
        field_configs+=("--field-config=field-path=${names[$n]},order=$(tr '[:upper:]' '[:lower:]' <<<"${directions[$n]}")")
      done
      gc firestore indexes composite create "${db[@]}" --collection-group="$group" \
        --query-scope="$(tr '[:upper:]_' '[:lower:]-' <<<"$scope")" "${field_configs[@]}" --async
      ;;
    field)
      field="$a" ttl="$b" exempt="$c"
      # A field nobody configured inherits the collection's defaults (usesAncestorConfig).
      state=""
      uses_default=True
      if exists firestore indexes fields describe "$field" --collection-group="$group" "${db[@]}"; then
        state="$(value ttlConfig.state firestore indexes fields describe "$field" \
          --collection-group="$group" "${db[@]}")"
        uses_default="$(value indexConfig.usesAncestorConfig firestore indexes fields describe \
          "$field" --collection-group="$group" "${db[@]}")"
      fi
      # TTL: documents are deleted (typically within 24 h) once this Timestamp has passed.
      if [[ "$ttl" == true ]]; then
        if [[ "$state" == ACTIVE || "$state" == CREATING ]]; then
          log "TTL on ${group}.${field} is ${state}"
        else
          log "enabling TTL on ${group}.${field}"
          gc firestore fields ttls update "$field" --collection-group="$group" "${db[@]}" \
            --enable-ttl
        fi
      fi
      # A TTL timestamp is never queried; its single-field indexes would only cost writes and,
      # being monotonic, create a hotspot.
      if [[ "$exempt" == true ]]; then
        if [[ "$uses_default" != True ]]; then
          log "single-field indexes of ${group}.${field} are already exempted"
        else
          log "exempting ${group}.${field} from single-field indexes"
          gc firestore indexes fields update "$field" --collection-group="$group" "${db[@]}" \
            --disable-indexes
        fi
      fi
      ;;
    *) die "unexpected definition line: ${kind}" ;;
  esac
done 3<<<"$definitions"
