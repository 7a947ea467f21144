"""Resident memory of a gan-samples run, sampled when each epoch ends.

Starts the command given after `--`, reads its log lines, and when one reports a finished epoch
("Epoch k/N: d_loss ...") records the process's current resident set (VmRSS) and its peak so far (VmHWM)
from /proc. Prints one JSON object: the epochs, the RSS series in MiB, and the growth after epoch 2.
  python3 bench/rss.py -- dotnet gan-samples.dll train --epochs 20 --output out/rss
"""
import json
import re
import subprocess
import sys

EPOCH = re.compile(r"Epoch (\d+)/(\d+): d_loss")


def status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values


def main():
    command = sys.argv[sys.argv.index("--") + 1:]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    series = []
    for line in process.stdout:
        match = EPOCH.search(line)
        if match:
            memory = status(process.pid)
            series.append({"epoch": int(match.group(1)), "rss_mib": round(memory["VmRSS"], 1), "peak_mib": round(memory["VmHWM"], 1)})
    code = process.wait()
    if code != 0 or not series:
        sys.exit(f"command failed with exit code {code} or logged no epochs: {' '.join(command)}")
    after = [s["rss_mib"] for s in series if s["epoch"] >= 2]
    growth = (max(after) - min(after)) / min(after) * 100 if after else 0.0
    print(json.dumps({"command": " ".join(command), "epochs": series, "rss_spread_after_epoch_2_percent": round(growth, 1),
                      "peak_mib": series[-1]["peak_mib"]}))


if __name__ == "__main__":
    main()
