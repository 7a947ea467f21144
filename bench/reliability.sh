#!/usr/bin/env bash
# Reliability probes of the samples CLI (issues 10 and 25): bad inputs, damaged and hostile model zips, faults,
# interrupts and memory, each run as a user would run it; writes docs/RELIABILITY.md with every probe's command, exit
# code, first line of output, outcome and leftover files. Takes a few minutes on a 2-core machine (most of it
# generating 1,000,000 images and training 3,000 tiny epochs).
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Gan.Samples -c Release --nologo -v quiet >/dev/null || exit 1
app=(dotnet "$PWD/src/Gan.Samples/bin/Release/net10.0/gan-samples.dll")
"${app[@]}" mnist --output artifacts/reliability/mnist >/dev/null
output=docs/RELIABILITY.md
scratch=$(mktemp -d)
export TMPDIR=$scratch/tmp   # the probes' own temp folder: whatever is left in it was left by them
mkdir -p "$TMPDIR"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
rows=()
handled=0; failed=0
record() { rows+=("| $1 | \`${2//|/\\|}\` | $3 | ${4//|/\\|} | $5 |"); }

# Temporary files and folders in the scratch folder that no running process owns (a microsoft-ml-gan-PID-… folder of a
# process still running, such as a training the probe runs beside, is not left behind).
left_behind() {
  find "$scratch" \( -name '.*.tmp' -o -name 'microsoft-ml-gan-*' -o -name 'ml_dotnet_*' -o -name '.write-check-*' \) -prune -print |
    while read -r path; do
      name=$(basename "$path")
      if [[ $name =~ ^microsoft-ml-gan-([0-9]+)- ]] && kill -0 "${BASH_REMATCH[1]}" 2>/dev/null; then continue; fi
      printf '%s\n' "$path"
    done
}

# probe "what" expected-exit command... : runs it, records exit code, first line, stack traces and leftover files.
probe() {
  local what=$1 expected=$2; shift 2
  local log exit first leftovers outcome
  log=$("$@" 2>&1); exit=$?
  first=$(printf '%s\n' "$log" | grep -m1 -E '^(error|Training cancelled|Generated|Trained|Evaluated|Wrote)' || printf '%s\n' "$log" | head -n1)
  leftovers=$(left_behind | sed "s|$scratch/||" | tr '\n' ' ')
  if printf '%s' "$log" | grep -q '   at '; then outcome="crash (stack trace)";
  elif [ "$exit" != "$expected" ]; then outcome="unexpected exit code (expected $expected)";
  elif [ -n "${must_say:-}" ] && [[ $first != *"$must_say"* ]]; then outcome="unclear message (expected it to say '$must_say')";
  elif [ -n "$leftovers" ]; then outcome="left files behind";
  elif [ "$exit" = 0 ]; then outcome="handled";
  elif [ "$exit" = 130 ]; then outcome="cancelled cleanly";
  else outcome="clear error"; fi
  case $outcome in handled|"clear error"|"cancelled cleanly") handled=$((handled + 1));; *) failed=$((failed + 1));; esac
  local shown="$*"
  shown=${shown#"${app[*]} "}
  record "$what" "gan-samples $shown" "$exit" "$first" "$outcome${leftovers:+: $leftovers}"
  left_behind | while read -r path; do rm -rf "$path"; done
  must_say=""
}

# probe_saying "what" expected-exit "words the first line must hold" command... : a probe whose message must name the
# CLI option and value (not the API property behind it).
probe_saying() {
  local what=$1 expected=$2
  must_say=$3
  shift 3
  probe "$what" "$expected" "$@"
}

# A small model to probe with (the article's GAN, 1 epoch on 6,400 rows).
"${app[@]}" train --epochs 1 --max-rows 6400 --eval-every 0 --output model --log-level Warning >/dev/null
: > empty.zip
head -c 4096 /dev/urandom > random.zip
head -c "$(( $(stat -c %s model/mnist-gan.zip) / 2 ))" model/mnist-gan.zip > truncated.zip
printf 'x' > a-file

probe "model zip does not exist" 1 "${app[@]}" generate --model missing.zip --output out
probe "empty model zip" 1 "${app[@]}" generate --model empty.zip --output out
probe "truncated model zip" 1 "${app[@]}" generate --model truncated.zip --output out
probe "random bytes as model zip" 1 "${app[@]}" generate --model random.zip --output out
probe "random bytes to evaluate" 1 "${app[@]}" evaluate --model random.zip --output out
probe "generate --count 0" 1 "${app[@]}" generate --model model/mnist-gan.zip --count 0 --output out
probe "output is an existing file" 1 "${app[@]}" generate --model model/mnist-gan.zip --output a-file
probe "output under /proc" 1 "${app[@]}" train --output /proc/gan-out --epochs 1
probe "checkpoint dir is an existing file" 1 "${app[@]}" train --checkpoint-dir a-file --epochs 1 --output out
probe "--epochs 0" 1 "${app[@]}" train --epochs 0 --output out
probe "--batch-size 0" 1 "${app[@]}" train --batch-size 0 --output out
probe "--lr -1" 1 "${app[@]}" train --lr -1 --output out
probe "--max-rows 70000" 1 "${app[@]}" train --max-rows 70000 --output out
probe "--max-steps with --epochs" 1 "${app[@]}" train --max-steps 10 --epochs 3 --output out
probe "unknown --diff-augment" 1 "${app[@]}" train --diff-augment Sideways --output out
probe "--spectral-norm with Mlp" 1 "${app[@]}" train --spectral-norm --output out
probe "evaluate --samples 1" 1 "${app[@]}" evaluate --model model/mnist-gan.zip --samples 1 --output out
probe "IDX file of the wrong kind" 1 "${app[@]}" evaluate --idx "$HOME/.cache/Microsoft.ML.Gan/mnist/t10k-labels-idx1-ubyte" --output out
probe "bench --rows 0" 1 "${app[@]}" bench --rows 0
probe "augment --regimes 25" 1 "${app[@]}" augment --regimes 25 --output out

# Round two (issue 25): zips damaged, altered or inflating; outputs that are inputs; options checked before any work.
"${app[@]}" train --epochs 1 --max-rows 640 --eval-every 0 --seed 2 --output model2 --log-level Warning >/dev/null
python3 - <<'PY'
import zipfile, zlib
def copy(dst, replace=None, stored=()):
    with zipfile.ZipFile("model/mnist-gan.zip") as src, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = (replace or {}).get(info.filename, src.read(info.filename))
            out.writestr(info.filename, data, zipfile.ZIP_STORED if info.filename in stored else zipfile.ZIP_DEFLATED)
graph = zipfile.ZipFile("model/mnist-gan.zip").read("Gan/generator.onnx")
copy("crc.zip", stored=("Gan/generator.onnx",))           # the graph stored as is, then one bit of a weight flipped
raw = bytearray(open("crc.zip", "rb").read()); at = raw.find(graph); raw[at + len(graph) - 100] ^= 0x40
open("crc.zip", "wb").write(raw)
copy("swapped.zip", {"Gan/generator.onnx": zipfile.ZipFile("model2/mnist-gan.zip").read("Gan/generator.onnx")})
copy("bomb.zip", {"Gan/history.json": bytes(512 << 20)})   # 512 MiB of zeros deflate to about 0.5 MB
PY
probe "generator entry fails its CRC-32" 1 "${app[@]}" generate --model crc.zip --output out
probe "the two generator copies disagree" 1 "${app[@]}" generate --model swapped.zip --output out
probe "history entry inflates 1,000-fold (zip bomb)" 1 "${app[@]}" evaluate --model bomb.zip --output out
probe "import -o onto its own input" 1 "${app[@]}" import --pytorch-generator a-file -o a-file
probe "export onto the model it reads" 1 "${app[@]}" export -m model/mnist-gan.zip --pytorch-generator model/mnist-gan.zip

# PyTorch files that are not a torch.save zip of a state_dict, and a CUDA device the CPU build of ONNX Runtime cannot use.
head -c 2048 /dev/urandom > random.pt
printf '\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e\x80\x02' > legacy.pt
printf '\x80\x02]q\x00.' > list.pt
probe "import random bytes as .pt" 1 "${app[@]}" import --pytorch-generator random.pt -o imported
probe "import a legacy-format .pt" 1 "${app[@]}" import --pytorch-generator legacy.pt -o imported
probe "import a pickled list as .pt" 1 "${app[@]}" import --pytorch-generator list.pt -o imported
probe "generate --device cuda (CPU ONNX Runtime)" 1 "${app[@]}" generate --model model/mnist-gan.zip --device cuda --output out
probe "augment --filter-confidence NaN" 1 "${app[@]}" augment --regimes 20 --filter-confidence NaN --output out
probe "augment --cnn-steps 0" 1 "${app[@]}" augment --regimes 20 --cnn-steps 0 --output out
mnist_dir="$HOME/.cache/Microsoft.ML.Gan/mnist"
probe "semi-supervised --labels-per-class 0" 1 "${app[@]}" semi-supervised --labels-per-class 0 --output out
probe "semi-supervised --pseudo-label-confidence 2" 1 "${app[@]}" semi-supervised --pseudo-label-confidence 2 --output out
probe "semi-supervised --pseudo-labels onto --mnist-dir" 1 "${app[@]}" semi-supervised --mnist-dir "$mnist_dir" --pseudo-labels "$mnist_dir" --output out
probe "semi-supervised --epochs with --max-steps" 1 "${app[@]}" semi-supervised --epochs 2 --max-steps 5 --output out
probe_saying "semi-supervised --confidence 1.5" 1 "--confidence must lie in [0, 1]; got 1.5." "${app[@]}" semi-supervised --confidence 1.5 --output out
probe_saying "semi-supervised --lr -1" 1 "--lr must be a finite value > 0; got -1." "${app[@]}" semi-supervised --lr -1 --output out
probe_saying "semi-supervised --weight-average 1" 1 "--weight-average must lie in [0, 1); got 1." "${app[@]}" semi-supervised --weight-average 1 --output out
probe_saying "semi-supervised --device cuda (CPU build)" 1 "--device is 'cuda'" "${app[@]}" semi-supervised --device cuda --output out
probe_saying "evaluate --filter-max-candidates 0" 1 "--filter-max-candidates must be at least 1; got 0." "${app[@]}" evaluate --model model/mnist-gan.zip --filter-confidence 0.5 --filter-max-candidates 0 --output out

# A reused checkpoint folder (the issue's sequence): run 1 (seed 1, 4 epochs), run 2 (seed 2) into the same folder.
train_small=(train --max-rows 640 --eval-every 0 --log-level Warning)
probe "run 1: 4 epochs into ck" 0 "${app[@]}" "${train_small[@]}" --seed 1 --epochs 4 --checkpoint-dir ck --output run1
probe "run 2 (seed 2) into run 1's ck" 1 "${app[@]}" "${train_small[@]}" --seed 2 --epochs 2 --checkpoint-dir ck --output run2
probe "run 2 with --overwrite-checkpoints" 0 "${app[@]}" "${train_small[@]}" --seed 2 --epochs 2 --checkpoint-dir ck --output run2 --overwrite-checkpoints
probe "resume run 2 to 4 epochs" 0 "${app[@]}" "${train_small[@]}" --seed 2 --epochs 4 --checkpoint-dir ck --output run2 --resume
"${app[@]}" "${train_small[@]}" --seed 2 --epochs 4 --output straight2 >/dev/null
"${app[@]}" generate --model run2/mnist-gan.zip -n 256 --output g-run2 >/dev/null
"${app[@]}" generate --model straight2/mnist-gan.zip -n 256 --output g-straight2 >/dev/null
reused=$(cmp -s g-run2/generated-images-idx3-ubyte g-straight2/generated-images-idx3-ubyte && echo "identical to" || echo "DIFFERENT from")
probe "resume with another --seed" 1 "${app[@]}" "${train_small[@]}" --seed 3 --epochs 5 --checkpoint-dir ck --output run3 --resume
# A resume with a setting that changes what the run computes is refused, naming the flag (round two).
dcgan_small=(train --architecture Dcgan --dcgan-width 8 --max-rows 640 --eval-every 0 --log-level Warning --checkpoint-dir ck-dcgan --output run-dcgan)
"${app[@]}" "${dcgan_small[@]}" --epochs 2 >/dev/null 2>&1
probe "resume with another --diff-augment" 1 "${app[@]}" "${dcgan_small[@]}" --epochs 3 --resume --diff-augment Translation
probe "resume adding --spectral-norm" 1 "${app[@]}" "${dcgan_small[@]}" --epochs 3 --resume --spectral-norm
probe "resume adding --mode-seeking" 1 "${app[@]}" "${dcgan_small[@]}" --epochs 3 --resume --mode-seeking 1
probe "resume adding --ema-warmup" 1 "${app[@]}" "${dcgan_small[@]}" --epochs 3 --resume --ema 0.99 --ema-warmup
printf 'garbage' >> "$(ls ck/*.gan | tail -n1)"
probe "resume from a corrupt checkpoint" 1 "${app[@]}" "${train_small[@]}" --seed 2 --epochs 5 --checkpoint-dir ck --output run2 --resume

# Interrupts: SIGTERM (what Ctrl+C sends as SIGINT, handled alike) mid-epoch, and kill -9; each then resumed.
long=(train --max-rows 6400 --epochs 12 --eval-every 0)
interrupt() {   # interrupt SIGNAL DIR: starts a long run, signals it 3 s after training starts, resumes it
  local signal=$1 dir=$2
  "${app[@]}" "${long[@]}" --checkpoint-dir "$dir/ck" --output "$dir" > "$dir.log" 2>&1 &
  local pid=$!
  until grep -q "Training on" "$dir.log" 2>/dev/null; do sleep 0.2; done
  sleep 3
  kill "-$signal" "$pid"
  wait "$pid"; echo $? > "$dir.exit"
}
mkdir -p term kill9
interrupt TERM term
term_line=$(grep -m1 -E '^(Training cancelled|error)' term.log)
term_outcome=$( { [ "$(cat term.exit)" = 130 ] && [ -n "$term_line" ] && ! grep -q '   at ' term.log; } && echo "cancelled cleanly" || echo "NOT clean")
[ "$term_outcome" = "cancelled cleanly" ] && handled=$((handled + 1)) || failed=$((failed + 1))
record "SIGTERM 3 s into training" "gan-samples ${long[*]} --checkpoint-dir term/ck --output term; kill -TERM" "$(cat term.exit)" "$term_line" "$term_outcome"
probe "resume after SIGTERM" 0 "${app[@]}" "${long[@]}" --checkpoint-dir term/ck --output term --resume --log-level Warning
interrupt KILL kill9
probe "resume after kill -9" 0 "${app[@]}" "${long[@]}" --checkpoint-dir kill9/ck --output kill9 --resume --log-level Warning
"${app[@]}" "${long[@]}" --output straight --log-level Warning >/dev/null
for run in term kill9 straight; do "${app[@]}" generate --model $run/mnist-gan.zip -n 256 --output g-$run >/dev/null; done
after_term=$(cmp -s g-term/generated-images-idx3-ubyte g-straight/generated-images-idx3-ubyte && echo "identical to" || echo "DIFFERENT from")
after_kill=$(cmp -s g-kill9/generated-images-idx3-ubyte g-straight/generated-images-idx3-ubyte && echo "identical to" || echo "DIFFERENT from")

# SIGTERM during a large generate: stops at the next row, exit 130, no IDX file and no temporary left.
"${app[@]}" generate --model model/mnist-gan.zip -n 3000000 --output gen-term > gen-term.log 2>&1 &
gen_pid=$!
sleep 4
kill -TERM "$gen_pid"
wait "$gen_pid"; gen_exit=$?
gen_left=$(find gen-term "$TMPDIR" -name '*idx3*' -o -name '.*.tmp' 2>/dev/null | sed "s|$scratch/||" | tr '\n' ' ')
gen_outcome=$( { [ "$gen_exit" = 130 ] && [ -z "$gen_left" ] && ! grep -q '   at ' gen-term.log; } && echo "cancelled cleanly" || echo "NOT clean${gen_left:+: $gen_left}")
[ "$gen_outcome" = "cancelled cleanly" ] && handled=$((handled + 1)) || failed=$((failed + 1))
record "SIGTERM 4 s into generate -n 3,000,000" "gan-samples generate --model model/mnist-gan.zip -n 3000000 --output gen-term; kill -TERM" "$gen_exit" "$(head -n1 gen-term.log)" "$gen_outcome"

# Two runs started into one empty checkpoint folder: the second is refused while the first trains.
"${app[@]}" train --max-rows 6400 --epochs 12 --eval-every 0 --checkpoint-dir shared-ck --output shared-1 --log-level Warning > shared-1.log 2>&1 &
first_pid=$!
sleep 3
probe "a second run into the checkpoint folder a running one uses" 1 "${app[@]}" train --max-rows 640 --epochs 1 --eval-every 0 --checkpoint-dir shared-ck --output shared-2
kill -TERM "$first_pid"; wait "$first_pid" 2>/dev/null

# SIGTERM during evaluate (10,000 samples and the CNN score): stops within seconds, exit 130, no metrics.json.
"${app[@]}" evaluate --model model/mnist-gan.zip --samples 10000 --cas-samples 10000 --cnn-cas-epochs 20 --output eval-term > eval-term.log 2>&1 &
eval_pid=$!
sleep 4
eval_start=$(date +%s)
kill -TERM "$eval_pid"
wait "$eval_pid"; eval_exit=$?
eval_seconds=$(( $(date +%s) - eval_start ))
eval_left=$(find eval-term "$TMPDIR" -name 'metrics.json' -o -name '.*.tmp' -o -name 'microsoft-ml-gan-*' 2>/dev/null | sed "s|$scratch/||" | tr '\n' ' ')
eval_outcome=$( { [ "$eval_exit" = 130 ] && [ -z "$eval_left" ] && ! grep -q '   at ' eval-term.log; } && echo "cancelled cleanly (${eval_seconds} s after the signal)" || echo "NOT clean${eval_left:+: $eval_left}")
[ "$eval_exit" = 130 ] && [ -z "$eval_left" ] && handled=$((handled + 1)) || failed=$((failed + 1))
record "SIGTERM 4 s into evaluate --samples 10000" "gan-samples evaluate --model model/mnist-gan.zip --samples 10000 --cas-samples 10000 --cnn-cas-epochs 20 --output eval-term; kill -TERM" "$eval_exit" "$(grep -m1 -v '^$' eval-term.log)" "$eval_outcome"

# A process killed with -9 leaves its temporary folder; the next process removes it.
"${app[@]}" generate --model model/mnist-gan.zip -n 3000000 --output gen-kill > /dev/null 2>&1 &
kill_pid=$!
sleep 4
kill -KILL "$kill_pid"; wait "$kill_pid" 2>/dev/null
killed_left=$(find "$TMPDIR" -maxdepth 1 -name 'microsoft-ml-gan-*' | wc -l)
rm -rf gen-kill   # its IDX temporary is another class (a stale sibling goes with the next write into that folder, below)
probe "after kill -9 of generate ($killed_left temporary folder(s) left), the next command" 0 "${app[@]}" generate --model model/mnist-gan.zip -n 16 --output gen-after-kill

# Temporaries a killed writer left: a stale sibling of the model zip is removed by the next write.
touch -d '1 day ago' model/.mnist-gan.zip.0123456789abcdef0123456789abcdef.tmp
"${app[@]}" train --epochs 1 --max-rows 640 --eval-every 0 --output model --log-level Warning >/dev/null
stale=$([ -e model/.mnist-gan.zip.0123456789abcdef0123456789abcdef.tmp ] && echo "still there" || echo "removed")

# Memory of generate: peak RSS for 10k, 100k and 1M images.
memory=()
for n in 10000 100000 1000000; do
  /usr/bin/time -f "%M %e" -o rss.txt "${app[@]}" generate --model model/mnist-gan.zip -n $n --output big >/dev/null 2>&1
  read -r kb seconds < rss.txt
  memory+=("| $(echo $n | sed -e :a -e 's/\B[0-9]\{3\}\>/,&/;ta') | $((kb / 1024)) MB | ${seconds} s |")
done

# Bounded in epochs: 100 and 3,000 one-step epochs on 64 images, peak RSS, model zip, report and sample PNGs.
epochs_rows=()
for n in 100 3000; do
  /usr/bin/time -f "%M %e" -o rss.txt "${app[@]}" train --max-rows 64 --batch-size 64 --epochs $n --eval-every 0 --output epochs-$n --log-level Warning >/dev/null 2>&1
  read -r kb seconds < rss.txt
  epochs_rows+=("| $(echo $n | sed -e :a -e 's/\B[0-9]\{3\}\>/,&/;ta') | $((kb / 1024)) MB | $(( $(stat -c %s epochs-$n/mnist-gan.zip) / 1024 )) KiB | $(( $(stat -c %s epochs-$n/report.html) / 1024 )) KiB | $(ls epochs-$n/samples | wc -l) | ${seconds} s |")
done

cd - >/dev/null
{
  echo "# Reliability"
  echo
  echo "Produced by \`bench/reliability.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version)."
  echo "Each probe runs the published samples CLI as a user would, in a scratch folder with its own TMPDIR; \"left files behind\""
  echo "means a hidden \`.*.tmp\`, a \`.write-check-*\`, or a \`microsoft-ml-gan-*\` or ML.NET \`ml_dotnet_*\` temporary file or folder was found afterwards."
  echo
  echo "**$handled of $((handled + failed)) probes handled** (clear error, success, or clean cancellation); $failed not."
  echo
  echo "| probe | command | exit | first line | outcome |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "## Runs that must end with the same weights"
  echo
  echo "- Reused checkpoint folder: run 2, replaced with \`--overwrite-checkpoints\` and resumed to 4 epochs, generates images $reused those of an uninterrupted 4-epoch seed-2 run."
  echo "- SIGTERM 3 s into training, then \`--resume\`: $after_term an uninterrupted 12-epoch run."
  echo "- \`kill -9\` 3 s into training, then \`--resume\` (from the last epoch checkpoint): $after_kill an uninterrupted 12-epoch run."
  echo "- A stale \`.mnist-gan.zip.<guid>.tmp\` left by a killed writer (dated a day back): $stale by the next \`train\` into that folder."
  echo
  echo "## Memory of \`generate -n\` (the article's generator; images streamed to the IDX file, the PNG grid shows the first 1,024)"
  echo
  echo "| images | peak RSS | seconds |"
  echo "|---|---|---|"
  printf '%s\n' "${memory[@]}"
  echo
  echo "## Bounded in the number of epochs (\`train --max-rows 64 --batch-size 64 --epochs N\`: one step an epoch)"
  echo
  echo "The history keeps the sample grids of the last 16 epochs and of at most 100 spaced ones (\`GanTrainingHistory.KeepsSamples\`)."
  echo
  echo "| epochs | peak RSS | model zip | report.html | sample PNGs | seconds |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${epochs_rows[@]}"
} > "$output.tmp"
mv "$output.tmp" "$output"
cat "$output"
