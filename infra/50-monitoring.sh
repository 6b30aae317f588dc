#!/usr/bin/env bash
# Log-based metrics, alert policies and the dashboard, from the JSON files in monitoring/.
# Each is created, or updated to the file's content if it exists, so the files are the truth.
# Usage: PROJECT_ID=… REGION=… ENV=… infra/50-monitoring.sh
#   ALERT_NOTIFICATION_CHANNELS  comma-separated channel names (projects/P/notificationChannels/ID)
#                                to notify; without it the policies alert on the console only.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

monitoring="${INFRA_DIR}/monitoring"

# Metrics are named after their file: monitoring/metrics/bm_send_failures.json defines
# logging.googleapis.com/user/bm_send_failures, which the alerts and the dashboard chart.
for file in "$monitoring"/metrics/*.json; do
  metric="$(basename "$file" .json)"
  if exists logging metrics describe "$metric"; then
    log "updating log-based metric ${metric}"
    gc logging metrics update "$metric" --config-from-file="$file" --format=none
  else
    log "creating log-based metric ${metric}"
    gc logging metrics create "$metric" --config-from-file="$file" --format=none
  fi
done

# Policies and dashboards get server-made IDs, so they are found by display name: the first
# "displayName" in each file is the top-level one (a test checks).
display_name() { grep -m1 -oE '"displayName": *"[^"]*"' "$1" | sed -E 's/^"displayName": *"(.*)"$/\1/'; }

# Channels are managed here too: a replaced policy keeps only the channels named in this variable.
create_channels=()
update_channels=()
if [[ -n "${ALERT_NOTIFICATION_CHANNELS:-}" ]]; then
  create_channels=(--notification-channels="$ALERT_NOTIFICATION_CHANNELS")
  update_channels=(--set-notification-channels="$ALERT_NOTIFICATION_CHANNELS")
fi

for file in "$monitoring"/alerts/*.json; do
  name="$(display_name "$file")"
  [[ -n "$name" ]] || die "no displayName in $file"
  policy="$(gc alpha monitoring policies list --filter="displayName=\"${name}\"" --format='value(name)')"
  [[ "$(wc -l <<<"$policy")" -le 1 ]] || die "more than one alert policy is named '${name}'"
  if [[ -n "$policy" ]]; then
    log "replacing alert policy '${name}'"
    gc alpha monitoring policies update "$policy" --policy-from-file="$file" "${update_channels[@]}" \
      --format=none
  else
    log "creating alert policy '${name}'"
    gc alpha monitoring policies create --policy-from-file="$file" "${create_channels[@]}" \
      --format=none
  fi
done

file="${monitoring}/dashboard.json"
name="$(display_name "$file")"
dashboard="$(gc monitoring dashboards list --filter="displayName=\"${name}\"" --format='value(name)')"
[[ "$(wc -l <<<"$dashboard")" -le 1 ]] || die "more than one dashboard is named '${name}'"
if [[ -n "$dashboard" ]]; then
  # An update must carry the current etag, which guards against overwriting a concurrent edit.
  etag="$(value etag monitoring dashboards describe "$dashboard")"
  config="$(<"$file")"
  log "replacing dashboard '${name}'"
  gc monitoring dashboards update "$dashboard" --config="{\"etag\": \"${etag}\", ${config#\{}" \
    --format=none
else
  log "creating dashboard '${name}'"
  gc monitoring dashboards create --config-from-file="$file" --format=none
fi
