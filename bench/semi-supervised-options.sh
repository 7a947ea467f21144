#!/usr/bin/env bash
# Options of the semi-supervised GAN classifier (issue 24) against its shipped recipe, on validation only: 100 labels
# (10 per digit) on labelled subsets and training seeds of their own, the last 10,000 train images held out and scored;
# each option is judged by its paired difference to the reference row's runs on the same subsets (95 % interval above 0
# to replace it, the rule of docs/SEMI-SUPERVISED.md); then the options listed in `tested` on the MNIST test split (100
# labels, subsets 1-3). A comparison is one set of runs made on one machine (runs pair only then: the same seed trains
# other bits on another machine of this kind), with its own report:
#   alignment  distribution alignment, a longer GAN budget, a second self-training round (docs/SEMI-SUPERVISED-OPTIONS.md;
#              about 4 hours on 2 cores)
#   student    the student's own consistency term (with and without the cut-out in its strong view), and four times
#              the GAN's budget, against the recipe (docs/SEMI-SUPERVISED-STUDENT.md; about 3 hours)
#   start      the GAN's first epochs without the consistency term (--consistency-start 0.5 and 0.25), and without the
#              term at all, against the recipe (docs/SEMI-SUPERVISED-START.md; about 3 hours)
#   start-confirmation  --consistency-start 0.25 against the recipe on five fresh labelled subsets, 6-10
#              (docs/SEMI-SUPERVISED-START-CONFIRMATION.md; about 3 hours)
#   propagation  the student's classes from the GAN's classifier and label propagation together (--propagate-labels)
#              against the recipe (docs/SEMI-SUPERVISED-PROPAGATION.md; about 1 hour with the recipe's runs kept)
#   propagation-confirmation  --propagate-labels against the recipe on five fresh labelled subsets, 6-10
#              (docs/SEMI-SUPERVISED-PROPAGATION-CONFIRMATION.md; about 1 hour with the recipe's runs kept)
#   propagation-rounds  a second round of self-training with --propagate-labels (--self-training-rounds 2) against one
#              and its test runs (docs/SEMI-SUPERVISED-PROPAGATION-ROUNDS.md; about 2.5 hours with the propagation
#              comparison's runs kept)
#   thousand-student  twice the student's epochs (--self-training-epochs 40) against the library's defaults at 1,000
#              labels (100 per digit), subsets 2-4, and on test (docs/SEMI-SUPERVISED-THOUSAND-STUDENT.md; about 2 hours)
#   wide-student  a wider student (--student-channels 64) against 40 student epochs at 1,000 labels, fresh subsets 5
#              and 6 (planned 5-7, stopped after two; docs/SEMI-SUPERVISED-WIDE-STUDENT.md; about 1.5 hours)
# About 20 minutes a run, two at a time (1 thread each; twice that with --epochs 20).
#   bench/semi-supervised-options.sh [alignment|student|start|start-confirmation|propagation|propagation-confirmation|propagation-rounds|thousand-student|wide-student]      # default: alignment
#   APP_DIR=dir bench/semi-supervised-options.sh student      # use a gan-samples build in dir instead of building src/Gan.Samples
# Finished runs are kept in the comparison's folder under artifacts/ and skipped; delete that folder to start over.
#   REPORT_ONLY=1 bench/semi-supervised-options.sh propagation   # the report from the runs kept, starting none
set -euo pipefail
cd "$(dirname "$0")/.."
comparison=${1:-alignment}
# The shipped recipe, spelled out so that a change of default does not change what these runs measure.
recipe="--epochs 10 --threads 1 --validation-rows 10000 --network Mlp --strong-augmentation AffineAndCutOut --confidence 0.8 --noisy-targets --self-training-epochs 20 --student-consistency false"
# options: name | the option's flags (added to the recipe; one the recipe has takes the option's value instead) | the
# option it is judged against (empty for the first row, the reference) | its subsets when not all (a row cut short says
# so in its report). tested: options measured on the MNIST test split after the choice (which they take no part in):
# 100 labels, subsets 1-3, the library's other defaults, as docs/SEMI-SUPERVISED.md's test runs. notes: the report's
# bullets on what is particular to the comparison.
# The propagation comparison and its confirmation judge the same two rows.
propagation_options=$(cat <<'OPTIONS'
recipe|--distribution-alignment --student-consistency true --student-strong-augmentation Affine|
propagate-labels|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --propagate-labels|recipe
OPTIONS
)

# A comparison's runs and report follow its name (alignment's are the first comparison's, "options"); every comparison runs
# on subsets 1-5 and has no test runs unless it says otherwise.
name=${comparison/#alignment/options}
out=artifacts/semi-supervised-$name
doc=docs/SEMI-SUPERVISED-${name^^}.md
subsets=(1 2 3 4 5)
tested=""
labels_per_digit=10   # labels per digit; a comparison at another count sets it and adds it to the recipe
case $comparison in
  alignment)
    title="Options of the semi-supervised classifier against its recipe (validation only)"
    # The second self-training round was stopped after three subsets: the first lost 0.11 points, as the prototype's rounds
    # had (docs/SEMI-SUPERVISED.md), and its last two subsets would have taken the machine time the table study needed. The recipe turns off what the options turn on: distribution alignment
    # became the default after these runs chose it. (Its runs here were made while it was off by default, without the flag.)
    options=$(cat <<'OPTIONS'
recipe|--distribution-alignment false|
distribution-alignment|--distribution-alignment|recipe
gan-epochs-20|--distribution-alignment --epochs 20|distribution-alignment
self-training-rounds-2|--distribution-alignment --self-training-rounds 2|distribution-alignment|1 2 3
OPTIONS
)
    tested=$(cat <<'TESTED'
distribution-alignment|--distribution-alignment
TESTED
)
    notes=$(cat <<'NOTES'
- The recipe is the library's before this comparison: distribution alignment off. Runs made while that was the default
  carry no flag; a fresh run spells `--distribution-alignment false`, which trains the same. A row judged against
  another option (the longer GAN budget, against distribution alignment, the recipe since then) pairs with that
  option's runs on the same subsets.
- The second self-training round (the first round's student labels the unlabelled images again for a fresh student)
  repeats distribution alignment's runs up to the end of its first round: their accuracy.csv rows match loss for loss
  and accuracy for accuracy through epoch 30, so its row differs from that one by the second round alone. It was
  stopped after three subsets: the first lost 0.11 points, as the prototype's second round had (docs/SEMI-SUPERVISED.md).
NOTES
)
    ;;
  student)
    title="The student's own consistency term and a longer GAN budget against the recipe (validation only)"
    # The term with the GAN's strong view ran on three subsets: it was below the recipe on each. Four times the GAN's budget
    # ran on two, as a look at where a longer budget leads (a run takes about an hour).
    options=$(cat <<'OPTIONS'
recipe|--distribution-alignment|
student-consistency|--distribution-alignment --student-consistency true --student-strong-augmentation AffineAndCutOut|recipe|1 2 3
student-affine|--distribution-alignment --student-consistency true --student-strong-augmentation Affine|recipe
gan-epochs-40|--distribution-alignment --epochs 40|recipe|1 2
OPTIONS
)
    tested=$(cat <<'TESTED'
student-affine|--student-consistency --student-strong-augmentation Affine
TESTED
)
    notes=$(cat <<'NOTES'
- Runs made before `--student-consistency` became the default (with `--student-strong-augmentation Affine`, as this
  comparison chose) spell the option as it then was: the recipe without a flag, the term with the bare flag and the GAN's
  view; a fresh run spells `--student-consistency false`, `true` and the view, which trains the same.
- The recipe is the library's defaults when this comparison was made (distribution alignment on, as
  docs/SEMI-SUPERVISED-OPTIONS.md chose it); its runs here are this machine's, made for this comparison.
- `--student-consistency` changes the student alone: its runs repeat the recipe's through the last GAN epoch (the
  accuracy.csv rows match loss for loss and accuracy for accuracy), so its row differs by the student's term alone.
  It ran on three subsets: it ended below the recipe on each, and the next row followed from it.
- `--student-strong-augmentation Affine` gives the student's term the view its cross-entropy term already learns the
  labelled and pseudo-labelled images in (turned, scaled, sheared, shifted), without the GAN's 8 × 8 cut-out: the
  cut-out is the one part of the GAN's strong view the student meets nowhere else. Its GAN part, too, repeats the
  recipe's runs through the last GAN epoch.
- `--epochs 40` (four times the GAN's budget, its learning rates falling over the last 30 % of it) ran on two subsets
  only, a look at where a longer budget leads rather than a choice: with two runs the interval is wide.
NOTES
)
    ;;
  start)
    title="The GAN's first epochs without the consistency term (validation only)"
    # Without the term at all ran on the two weak subsets only: it shows what the term does to the sevens, not a choice.
    options=$(cat <<'OPTIONS'
recipe|--distribution-alignment --student-consistency true --student-strong-augmentation Affine|
consistency-start-0.5|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --consistency-start 0.5|recipe
consistency-start-0.25|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --consistency-start 0.25|recipe
no-consistency|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --consistency 0|recipe|2 3
OPTIONS
)
    tested=$(cat <<'TESTED'
recipe|--consistency-start 0
consistency-start-0.5|--consistency-start 0.5
TESTED
)
    notes=$(cat <<'NOTES'
- Why: the recipe's errors sit on one digit. On the weak validation subsets 2 and 3 about half of them are 7s taken for
  2s or 9s (the table's brackets), and so are about half of each test subset's: crossed (European) 7s, a style none of
  the ten labelled 7s shows. A look by hand on validation subset 2 (`semi-supervised ... --label-seed 2 --seed 2
  --self-training-epochs 0`, with and without `--consistency 0`, scored by `semi-supervised --model`; kept in
  `artifacts/semi-supervised-diagnostic`) found the GAN's classifier with the consistency term getting 124 of its 288
  errors on 7s, and without the term 19 of 322: the term's confident targets take the crossed 7s for 2s in the first
  epochs and keep them there. `--consistency-start 0.5` trains the first half of the GAN's budget with the Improved
  GAN's losses alone, then adds the term; `--consistency-start 0.25` the first quarter (added after the first report,
  when 0.5 had rescued subset 2 but cost subset 1); `--consistency 0` never adds it (two subsets: a look, not a choice).
- Test runs only for `--consistency-start 0.5`: 0.25 was not chosen on validation, and 0.5's test runs had already
  shown the test split's crossed 7s unmoved by a later start.
- Which subsets hold a crossed 7 among their ten labelled 7s (`labelled.png`, which `semi-supervised` writes since
  these runs; `semi-supervised --max-steps 1 --self-training-epochs 0 --validation-rows 10000 --label-seed N` shows
  subset N's): subsets 1, 2, 4 and 5 one each, subset 3 none, and none of the test subsets 1-3 (the same command
  without `--validation-rows`). Where one is labelled, a late start keeps the crossed 7s right.
- The recipe is the library's defaults when this comparison was made; its runs are docs/SEMI-SUPERVISED-STUDENT.md's
  `student-affine` runs on this machine (copied here; their commands spell the student's term with the bare flag, which
  trains the same), and its test runs that doc's `test-student-affine` runs (`--consistency-start 0` trains the same).
  The runs of `--consistency-start 0.5` on subset 2 and of `--consistency 0` were started by hand before the script had
  these rows, spelling the library's defaults instead of the recipe's flags (the same settings); those of
  `--consistency-start 0.25` on subsets 1 and 2 too, with the row's own command.
- The brackets come from each run's error line; runs made before the CLI printed it are scored again from their zip
  (`semi-supervised --model`, kept as `scored.log` in the run's folder).
NOTES
)
    ;;
  start-confirmation)
    title="A quarter of the GAN's budget without the consistency term, on five fresh labelled subsets (validation only)"
    subsets=(6 7 8 9 10)
    options=$(cat <<'OPTIONS'
recipe|--distribution-alignment --student-consistency true --student-strong-augmentation Affine|
consistency-start-0.25|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --consistency-start 0.25|recipe
OPTIONS
)
    notes=$(cat <<'NOTES'
- Why: in docs/SEMI-SUPERVISED-START.md `--consistency-start 0.25` (the GAN's first quarter without the consistency
  term) had at most 12 errors on 7s on the four subsets whose ten labelled 7s include a crossed one, where the recipe
  had 125 on one of them (the term locking the crossed 7s in as 2s), but lost 0.24 points on the subset without one:
  +0.18 [-0.43, +0.79] over five subsets, not chosen. Those subsets picked it out, so they do not count again: this
  comparison judges it afresh on subsets 6-10, by the same rule, its size fixed before any of its runs.
- The recipe is the library's defaults when this comparison was made, spelled out as the start comparison's.
- No test runs: the first plan made them whatever the verdict, but three subsets in, 0.25 was below the recipe on each,
  and the test subsets 1-3 hold no crossed 7 among their labelled 7s (their `labelled.png`), like subset 3, where no
  start found them (subset 9, run after that decision, shows a late start can find them without one labelled).
- Which subsets hold a crossed 7 among their ten labelled 7s (`labelled.png`): subsets 6 and 7 one each, subset 8
  two, subsets 9 and 10 none.
NOTES
)
    ;;
  propagation)
    title="The student's classes from the GAN's classifier and label propagation together (validation only)"
    options=$propagation_options
    tested=$(cat <<'TESTED'
recipe|--consistency-start 0
propagate-labels|--propagate-labels
TESTED
)
    notes=$(cat <<'NOTES'
- Why: on its weak labelled subsets the recipe takes the crossed (European) 7s for 2s or 9s, about 125 of each 10,000
  images, half its errors: validation subset 3, whose ten labelled 7s hold no crossed one, subset 2, which holds one,
  and the three test subsets, which hold none (docs/SEMI-SUPERVISED-START.md). A graph does not: the
  labelled images' classes spread over a graph that links each training image to its 10 most similar (cosine
  similarity of the slant-corrected pixels) reach the crossed 7s through the half-crossed ones. With
  `--propagate-labels` the student learns the same rows as without (those the GAN's classifier gives a class with
  probability at least 0.95), each with the most probable class of the classifier's probabilities, raised to the power
  0.1, times the propagated ones.
- The recipe is the library's defaults, spelled out as the start comparison's; its runs are that comparison's, made on
  this machine (copied here). `--propagate-labels` changes the student alone: its runs repeat the recipe's through the
  last GAN epoch.
- Test runs for `--propagate-labels` whatever its verdict, as planned before its first validation run: the test
  subsets 1-3 hold no crossed 7 among their ten labelled 7s (their `labelled.png`), the case it is for. The recipe's
  test runs are the start comparison's, copied here (`--consistency-start 0` trains the library's defaults).
NOTES
)
    ;;
  propagation-confirmation)
    title="The student's classes with label propagation, on five fresh labelled subsets (validation only)"
    subsets=(6 7 8 9 10)
    options=$propagation_options
    notes=$(cat <<'NOTES'
- Why: in docs/SEMI-SUPERVISED-PROPAGATION.md `--propagate-labels` was above the recipe on each of subsets 1-5 (+0.04
  to +0.97 points, the two large gains where the recipe took the crossed 7s for 2s), but +0.41 [-0.20, +1.03] over
  five is not an interval above 0. Those subsets picked it out, so they do not count again: this comparison judges it
  afresh on subsets 6-10, by the same rule, its size fixed before any of its runs (written before them).
- The recipe is the library's defaults, spelled out as the start comparison's; its runs are the start confirmation's
  (artifacts/semi-supervised-start-confirmation), made on the machine that made docs/SEMI-SUPERVISED-PROPAGATION.md's,
  copied here. Runs pair only when one machine made them: on another machine, delete this folder and run both rows.
- Not fresh in one respect: the power 0.1 (`LabelPropagation.ClassifierWeight`) was picked in a prototype outside the
  repository that scored, against the train labels, the classes it gives with the saved GAN classifiers of all ten
  validation subsets. No student was trained there: the students' accuracy on subsets 6-10 was first seen here.
- The verdict (written after the runs): the option was below the recipe on none of the five, +1.04 and +1.05 points on
  subsets 9 and 10, the two where the recipe took the crossed 7s for 2s (their ten labelled 7s hold no crossed one), and
  +0.00 to +0.03 on the others. A gain that large where the recipe fails and about nothing elsewhere is too uneven over
  five subsets for the interval the rule asks for, so `PropagateLabels` stays off by default, an option the docs point
  to for data where the labelled examples may miss a style.
NOTES
)
    ;;
  propagation-rounds)
    title="A second round of self-training with label propagation (validation only)"
    options="$propagation_options
propagate-labels-rounds-2|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --propagate-labels --self-training-rounds 2|propagate-labels"
    tested=$(cat <<'TESTED'
propagate-labels|--propagate-labels
propagate-labels-rounds-2|--propagate-labels --self-training-rounds 2
TESTED
)
    notes=$(cat <<'NOTES'
- Why: with `--propagate-labels` the first student ends well above the GAN's classifier that labelled its images, so it
  may label them better in turn: a second round (`--self-training-rounds 2`) lets it label the unlabelled images for a
  fresh student, with the same graph. Without the graph a second round added nothing (docs/SEMI-SUPERVISED-OPTIONS.md).
  A look by hand on validation subset 9 (the row's command with `--label-seed 9 --seed 9`, outside this folder) moved
  most of the remaining crossed 7s; this comparison judges it on subsets 1-5, against `--propagate-labels` alone.
- The recipe and `--propagate-labels` runs are docs/SEMI-SUPERVISED-PROPAGATION.md's, made on this machine (copied
  here), as are the `--propagate-labels` test runs. Runs pair only when one machine made them: on another machine,
  delete this folder and run every row.
- Test runs of the second round whatever its verdict, planned while subsets 3-5 were running (subsets 1 and 2 and the
  look on subset 9 had been seen, all three above one round).
- The verdict (written after the validation runs, before the test runs ended): above one round on four of the five
  subsets (+0.06 to +0.20 points) and 0.06 below on subset 5; fewer errors on 7s on all five. +0.10 [-0.03, +0.24] is
  not an interval above 0, so one round stays the default, with the graph as without it. The second round costs a
  second student's 20 epochs: about 10 more training minutes here (two runs sharing the machine).
- On test (written after its runs): 98.60 ± 0.05 with the second round against 98.35 ± 0.05 with the graph alone,
  above it on each subset; the issue's goal for 100 labels (98.5 %, mean of three subsets) is met with two opt-in
  options, neither a default by the rule. The second round's test runs shared the two cores with two others at times
  (three at once), so their training minutes are not comparable with the graph alone's.
NOTES
)
    ;;
  thousand-student)
    title="Twice the student's epochs at 1,000 labels (validation only)"
    labels_per_digit=100
    recipe="$recipe --labels-per-class $labels_per_digit"
    subsets=(2 3 4)
    options=$(cat <<'OPTIONS'
recipe|--distribution-alignment --student-consistency true --student-strong-augmentation Affine|
student-epochs-40|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --self-training-epochs 40|recipe
OPTIONS
)
    tested=$(cat <<'TESTED'
recipe|
student-epochs-40|--self-training-epochs 40
TESTED
)
    notes=$(cat <<'NOTES'
- Every run here: 1,000 labels (100 per digit), not 100; `--self-training-epochs 40` gives the student 40 epochs.
- Why: at 1,000 labels the student, not the GAN, sets the level. Looks by hand on validation subset 1 (the library's
  defaults with `--labels-per-class 100 --validation-rows 10000 --label-seed 1 --seed 1`; kept in
  `artifacts/look-1000` and `artifacts/look-1000-s24`, not in this table): twice the GAN's budget (`--epochs 20`) lifted
  the GAN's classifier from 98.46 to 98.74 % but left the student at 98.70 % (130 errors either way); twice the
  student's (`--self-training-epochs 40`) ended at 98.89 % (111 errors); and a student taught 40,000 true labels
  (`--labels-per-class 4000`) ended at 99.25 % (75 errors), the most this student learns here. Subset 1 picked the
  option, so it does not count: this comparison judges it on subsets 2-4, its size fixed before any of its runs by the
  session's time (three subsets: the rule's interval needs a gain on all three).
- The recipe is the library's defaults, spelled out as the start comparison's, at 1,000 labels. The option changes the
  student alone: its runs repeat the recipe's through the last GAN epoch.
- Test runs for `--self-training-epochs 40` whatever its verdict, as planned before any validation result: they
  measure the issue's goal at 1,000 labels (99.2 %, mean of three subsets). The recipe's test runs are
  docs/SEMI-SUPERVISED-1000-LABELS.md's `defaults` runs, made on this machine (copied here). The test rows were
  added to this script while its validation runs went on, so its `--self-training-epochs 40` test runs were started by
  hand as cores freed, with the commands this script gives them (below), each in a kept folder as the script makes it.
- The verdict (written after the validation runs, before the test runs ended): above the recipe on each of subsets 2-4
  (+0.09, +0.09 and +0.21 points), as on subset 1's look (+0.19), but +0.13 [-0.04, +0.30] over three subsets is not an
  interval above 0, so `SelfTrainingEpochs` stays 20, and twice that is an option the docs point to for more labels.
  It costs about 6 more training minutes here (22.0 against 15.6, two runs sharing the machine).
- On test (written after its runs): 99.19 % ± 0.16, above the defaults on each subset (+0.20, +0.15 and +0.11 points),
  0.01 short of the issue's 99.2 %; the 9s are still the digit most often wrong (30, 11 and 31 errors).
NOTES
)
    ;;
  wide-student)
    title="A wider student at 1,000 labels (validation only)"
    labels_per_digit=100
    recipe="$recipe --labels-per-class $labels_per_digit"
    # Planned on subsets 5-7; stopped after two (the notes say why).
    subsets=(5 6)
    options=$(cat <<'OPTIONS'
student-epochs-40|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --self-training-epochs 40|
wide-student|--distribution-alignment --student-consistency true --student-strong-augmentation Affine --self-training-epochs 40 --student-channels 64|student-epochs-40
OPTIONS
)
    notes=$(cat <<'NOTES'
- Every run here: 1,000 labels (100 per digit), and 40 self-training epochs, not 20: "the recipe" in the table is the
  library's defaults with `--self-training-epochs 40`, the README's advice at 1,000 labels. `--student-channels 64`
  gives each of the student's two convolutions 64 channels instead of 32 (its dense layer keeps 256 units): about three
  times the student's multiply-adds per image. It changes the student alone: its runs repeat the recipe's through the
  last GAN epoch.
- Why: at 1,000 labels the student sets the level. With 40 epochs it reached 99.19 % on test, 0.01 short of the
  issue's 99.2 %, and a student taught 40,000 true labels reached only 99.25 % on validation subset 1: the student
  network's own ceiling (docs/SEMI-SUPERVISED-THOUSAND-STUDENT.md). A wider student is the first try at lifting it; 64
  was picked before any run, with no look: twice the width, the smallest change the exporter already handles.
- Subsets 5-7 are fresh at 1,000 labels (subset 1 was that doc's look, 2-4 judged its 40 epochs); the comparison's size
  was fixed before its runs by the session's time (three subsets: the rule's interval needs a gain on all three).
- The recipe's runs on subsets 5 and 6 were started by hand, with the commands this script gives them and each in a
  kept folder as the script makes it, while `--student-channels` was being written; the script's pool made the others.
- Stopped after two subsets (written when subset 5 had ended and subset 6 was in its 31st student epoch): on subset 5
  the wide student ended 0.03 points below the recipe, and with one difference below 0 no third one can make the
  rule's interval over three subsets lie above 0 (the most it reaches, whatever subset 7 gives, is a t of about 1.7
  against the 4.3 it needs with 2 degrees of freedom). Subset 7 would have taken the session's last hour: the recipe's
  run there was stopped in its fifth GAN epoch and deleted, the wide student's never started. So the row is no choice
  either way; what it shows is below.
- What it shows (written after the runs): on subset 6 the wide student ended 0.27 points above the recipe (68 errors
  against 95), on subset 5 0.03 below (106 against 103): +0.12 over two subsets, one of each sign. It is no default and
  no advice: `StudentChannels` stays 32, an option for users to measure on their own validation split. Its student
  epochs took a median of 45 and 68 seconds against the recipe's 32 (other work shared the machine at times: not a
  speed measurement).
NOTES
)
    ;;
  *) echo "unknown comparison '$comparison': alignment, student, start, start-confirmation, propagation, propagation-confirmation, propagation-rounds, thousand-student or wide-student" >&2; exit 2 ;;
esac
if [ -z "${APP_DIR:-}" ]; then
  dotnet build src/Gan.Samples -c Release --nologo -v quiet
  APP_DIR=src/Gan.Samples/bin/Release/net10.0
fi
app=(dotnet "$APP_DIR/gan-samples.dll")
mkdir -p "$out"

# shellcheck source=bench/kept-runs.sh
source bench/kept-runs.sh

# Two at a time, one thread each: the validation runs, then the test runs.
jobs=()
# The recipe with an option's flags: a flag the recipe has takes the option's value in the recipe's place, the others follow.
with_option() {
  local -a words extra=()
  read -ra words <<<"$recipe"
  local -a flags
  read -ra flags <<<"$1"
  local i j found
  for ((i = 0; i < ${#flags[@]}; i++)); do
    found=
    for ((j = 0; j < ${#words[@]}; j++)); do
      if [ "${words[j]}" = "${flags[i]}" ] && ((i + 1 < ${#flags[@]})) && [[ ${flags[i + 1]} != --* ]]; then
        words[j + 1]=${flags[i + 1]}; found=1; break
      fi
    done
    if [ -n "$found" ]; then i=$((i + 1)); else extra+=("${flags[i]}"); fi
  done
  echo "${words[*]} --label-seed $2 --seed $2${extra[*]:+ ${extra[*]}}"
}
# Subset by subset, so that a comparison cut short leaves whole pairs.
for s in "${subsets[@]}"; do
  while IFS='|' read -r name flags _ only; do
    if [[ -z $only || " $only " == *" $s "* ]]; then
      jobs+=("$name-subset-$s|semi-supervised $(with_option "$flags" "$s")")
    fi
  done <<<"$options"
done
while IFS='|' read -r name flags; do
  [ -n "$name" ] || continue   # a comparison without test runs
  for s in 1 2 3; do
    jobs+=("test-$name-subset-$s|semi-supervised --epochs 10 --threads 1 --labels-per-class $labels_per_digit --label-seed $s $flags")
  done
done <<<"$tested"
# REPORT_ONLY=1 starts none and writes the report from the runs kept.
[ -n "${REPORT_ONLY:-}" ] || run_pool "${jobs[@]}"

python3 - "$out" "${subsets[*]}" "$options" "$tested" "$doc" "$title" "$notes" "$comparison" "$APP_DIR" "$labels_per_digit" <<'PY'
import csv, pathlib, statistics, subprocess, sys
out, subsets = pathlib.Path(sys.argv[1]), [int(s) for s in sys.argv[2].split()]
options = [(line.split("|") + [""])[:4] for line in sys.argv[3].splitlines() if line.strip()]
tested = [line.split("|", 1) for line in sys.argv[4].splitlines() if line.strip()]
doc, title, notes, comparison, app = sys.argv[5], sys.argv[6], sys.argv[7].splitlines(), sys.argv[8], sys.argv[9]
labels_per_digit = int(sys.argv[10])
script = "bench/semi-supervised-options.sh" + ("" if comparison == "alignment" else f" {comparison}")
sys.path.insert(0, "bench")
from stats import errors_per_class, final_result, interval, produced_by

def run(name, subset, folder=None):
    d = out / (folder or f"{name}-subset-{subset}")
    log = (d / "stdout.log").read_text()
    rows = list(csv.DictReader(open(d / "accuracy.csv")))
    gan = [r for r in rows if r.get("self_training") != "1"][-1]
    return {"command": (d / "done").read_text().strip(), **final_result(log), "gan": 100 * float(gan["accuracy"]),
            "per_class": per_class(d, log)}

def per_class(d, log):
    """Errors per true class, from the run's error line; a run made before the CLI printed it is scored again from its
    zip (`semi-supervised --model`, kept in scored.log)."""
    counts = errors_per_class(log)
    if counts is None:
        scored = d / "scored.log"
        if not scored.exists():
            held = ["--validation-rows", "10000"] if "--validation-rows 10000" in (d / "done").read_text() else []
            result = subprocess.run(["dotnet", f"{app}/gan-samples.dll", "semi-supervised", "--model", str(d / "classifier.zip"), *held,
                                     "--output", str(d / "scored")], capture_output=True, text=True, check=True)
            scored.write_text(result.stdout)
        counts = errors_per_class(scored.read_text())
    return counts

# Per option, its runs by subset (an option may cover fewer subsets than the recipe: it pairs on those it has).
runs = {name: {s: run(name, s) for s in ([int(x) for x in only.split()] or subsets)} for name, _, _, only in options}
# The digit the reference row gets wrong most often over its runs: every row's brackets give its errors on it.
worst = max(runs[options[0][0]][subsets[0]]["per_class"], key=lambda c: sum(r["per_class"][c] for r in runs[options[0][0]].values()))
lines = [
    f"# {title}",
    "",
    f"{produced_by(script)}; every number below comes from",
    f"the runs it made (kept in `{out}`, one folder per run with its command, log and `accuracy.csv`).",
    "",
    "- Machine: AMD EPYC, 2 cores; .NET SDK 10.0.401; TorchSharp 0.107.0 (libtorch 2.10.0, CPU); two runs at a time, 1 thread each.",
    f"- Every run: {10 * labels_per_digit:,} labels ({labels_per_digit} per digit, `--label-seed` = the subset), training seed = the subset, the last 10,000 MNIST",
    "  train images held out of training and scored (validation); 10 GAN epochs of 500 steps (unless an option sets `--epochs`),",
    "  then 20 self-training epochs.",
    "  The MNIST test split chooses nothing" + (" (its runs, below, came after the choice)." if tested else "."),
    "- Training minutes: the loop's own clock, with other trainings sharing the machine at times; not a speed measurement.",
    "- An option replaces the recipe's choice only when its paired difference over the subsets has a 95 % interval above 0",
    "  (docs/SEMI-SUPERVISED.md's rule). Runs pair only when one machine made them: the same seed trains other bits on",
    "  another machine of this kind, so the recipe's runs here are this machine's, not that doc's.",
    *notes,
    "",
    "| option | " + " | ".join(f"subset {s}" for s in subsets) + " | mean | paired difference to the recipe, or to the row named (points, 95 %) | the GAN's classifier alone: paired difference | training minutes (mean) |",
    "|---|" + "---|" * (len(subsets) + 4),
]
label = {name: ("the recipe" if not against else f"`{flags}`") for name, flags, against, _ in options}
for name, flags, against, only in options:
    r = runs[name]
    cells = " | ".join(f"{r[s]['accuracy']:.2f} ({r[s]['per_class'][worst]})" if s in r else "not run" for s in subsets)
    mean = statistics.mean(x["accuracy"] for x in r.values())
    minutes = statistics.mean(x["minutes"] for x in r.values())
    if not against:
        lines.append(f"| {label[name]} | {cells} | **{mean:.2f}** | | | {minutes:.1f} |")
        continue
    base = runs[against]
    d = interval([r[s]["accuracy"] - base[s]["accuracy"] for s in r])
    g = interval([r[s]["gan"] - base[s]["gan"] for s in r])
    # Judged against another option (not the first row): the row says which, and replaces that option's choice.
    than = "" if against == options[0][0] else f" (against {label[against]})"
    verdict = ("replaces the recipe's choice" if d[1] > 0 else "does not replace it") + than + ("" if not only else f", over subsets {', '.join(only.split())} only")
    lines.append(f"| `{flags}` | {cells} | **{mean:.2f}** | {d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]: {verdict} | {g[0]:+.3f} [{g[1]:+.3f}, {g[2]:+.3f}] | {minutes:.1f} |")
lines += ["", f"Validation accuracy after self-training, % (in brackets the errors on {worst}s of the 10,000 images, the digit the recipe gets wrong most often)."
          " The GAN's classifier alone: its validation accuracy after the last GAN epoch."
          + (" A row run on fewer subsets averages its own." if any(only for _, _, _, only in options) else ""), ""]
# A test run not made (yet) is None: its cell says so and the mean covers the others.
tests = {name: [run(name, s, f"test-{name}-subset-{s}") if (out / f"test-{name}-subset-{s}" / "done").exists() else None for s in (1, 2, 3)]
         for name, _ in tested}
if tests:
    lines += ["## Test accuracy", "",
              f"After the choice, which they took no part in: {10 * labels_per_digit:,} labels (subsets 1-3, training seed 1), the MNIST test split, the",
              "library's other defaults: docs/SEMI-SUPERVISED.md's test commands with the option. That doc's test runs were made on",
              "another machine of this kind, which trains other bits for the same seed, so the two do not pair run by run.", "",
              "| option | subset 1 | subset 2 | subset 3 | mean ± sd | training minutes (mean) |", "|---|---|---|---|---|---|"]
    for name, flags in tested:
        made = [x for x in tests[name] if x]
        acc = [x["accuracy"] for x in made]
        spread = f" ± {statistics.stdev(acc):.2f}" if len(acc) > 1 else ""
        covered = "" if len(acc) == 3 else f" ({len(acc)} subset{'s' if len(acc) > 1 else ''})"
        cells = " | ".join(f"{x['accuracy']:.2f} ({x['per_class'][worst]})" if x else "not run" for x in tests[name])
        shown = f"`{flags.strip()}`" if flags.strip() else "the library's defaults"
        lines.append(f"| {shown} | {cells} | **{statistics.mean(acc):.2f}{spread}**{covered} | {statistics.mean(x['minutes'] for x in made):.1f} |")
    lines += ["", f"Test accuracy, % (in brackets the errors on {worst}s of the 10,000 test images).", ""]
lines += ["## Commands", ""]
for name, _, _, _ in options:
    for s, x in runs[name].items():
        lines.append(f"- `{name}-subset-{s}`: `{x['command']}`")
for name, _ in tested:
    for s, x in zip((1, 2, 3), tests[name]):
        if x:
            lines.append(f"- `test-{name}-subset-{s}`: `{x['command']}`")
pathlib.Path(doc).write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
