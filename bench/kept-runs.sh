# What the semi-supervised bench scripts share (sourced, not run): runs of the samples app, each kept in a folder of its
# own under $out, two at a time. The caller sets out (the folder) and app (the command that starts gan-samples, an array).

# One run: its folder in $out, then its command in a done file (the pool skips a folder that has one).
run() {
  local dir="$out/$1" command=$2
  rm -rf "$dir"; mkdir -p "$dir"
  echo "$(date +%H:%M:%S) $1: $command" >&2
  # shellcheck disable=SC2086
  "${app[@]}" $command --output "$dir" >"$dir/stdout.log" 2>"$dir/stderr.log"
  echo "$command" >"$dir/done"
}

# The jobs ("name|command" each) in a pool of two, one thread each: the next starts as soon as either finishes; a kept
# run takes no turn.
run_pool() {
  local running=0 job
  for job in "$@"; do
    if [ -f "$out/${job%%|*}/done" ]; then echo "kept: ${job%%|*}" >&2; continue; fi
    if ((running == 2)); then wait -n || true; running=$((running - 1)); fi
    run "${job%%|*}" "${job#*|}" &
    running=$((running + 1))
  done
  wait
}
