"""What the bench reports share: a paired difference's mean and 95 % t-interval, the line that opens a report, and
what a `semi-supervised` run's log says at its end.

The reports import it from their inline Python (`sys.path.insert(0, "bench")`); the C# study reports compute the
same interval in src/Gan.Samples/Augmentation/StudyStatistics.cs.
"""
import datetime
import re
import statistics
import subprocess

# Student's t, 97.5th percentile, by degrees of freedom (n - 1 for n paired differences).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def interval(differences):
    """The mean of paired differences and the ends of its 95 % t-interval: (mean, low, high)."""
    m = statistics.mean(differences)
    h = T975[len(differences) - 1] * statistics.stdev(differences) / len(differences) ** 0.5
    return m, m - h, m + h


def produced_by(script):
    """A report's opening words: "Produced by `script` on DATE at COMMIT" (the repository's HEAD when it is written)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"Produced by `{script}` on {datetime.date.today():%Y-%m-%d} at {commit}"


def final_result(log):
    """A `semi-supervised` run's closing line: its accuracy (%), errors and training minutes."""
    final = re.search(r"(?:validation|test) accuracy ([\d.]+) % \((\d+) errors of ([\d,]+)\), ([\d.]+) training minutes", log)
    return {"accuracy": float(final[1]), "errors": int(final[2]), "minutes": float(final[4])}


def errors_per_class(text):
    """The errors of each true class from the CLI's error line ({"0": 3, ...}), or None where it has no such line."""
    line = re.search(r"errors per true class: (.*)", text)
    return {c: int(n) for c, n in re.findall(r"(\w+): (\d+)", line[1])} if line else None
