using Microsoft.ML.Gan.Logging;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Microsoft.ML.Gan.Training;

/// <summary>One thread setting the governor tries: libtorch's intra-op threads, and MKL's for matrix products.</summary>
internal readonly record struct ThreadSetting(int Threads, int GemmThreads)
{
    public override string ToString() => GemmThreads == Threads ? $"{Threads}" : $"{Threads} ({GemmThreads} for matrix products)";
}

/// <summary>
/// Picks TorchSharp's intra-op thread count while training runs (<see cref="GanOptions.Threads"/> = 0): it times a
/// window of steps at each candidate setting, keeps the fastest, and measures again every few hundred steps, because
/// the best count depends on the network and on what else the machine is doing. Measured here (docs/BENCHMARKS.md):
/// the DCGAN ran 1.7x faster on 2 threads than on 1 on a quiet 2-core machine and 2.2x slower with another process
/// busy on one core (libgomp's threads wait for each other at every operation); the seed network ran 7 % slower on
/// 2 threads when quiet and 3.1x slower when busy. One more candidate where libtorch's MKL allows it
/// (<see cref="GemmThreads"/>): one libtorch thread with every core for MKL's matrix products, which gives the seed
/// network's products the second core without a hand-off at every small element-wise operation.
/// </summary>
/// <remarks>
/// Switching counts can change the last bits of the weights where a libtorch kernel splits its sums by thread (seen on
/// a DCGAN of width 4, not on the article's MLP), which is why this is opt-in and documented on <see cref="GanOptions.Threads"/>.
/// </remarks>
internal sealed class ThreadGovernor
{
    // The first steps of a run are slow whatever the setting (allocator, caches): measuring starts after 20 of them or
    // half a second, whichever comes first (a DCGAN step takes 0.1-0.2 s, an MLP step 3-5 ms).
    private const int WarmUpSteps = 20;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(0.5);
    private const int WindowSteps = 12;
    // Short enough that a choice made on a noisy window is not kept for long.
    private const int RecheckSteps = 200;

    // A candidate whose first steps already run this much slower than the best one is given up early: with another
    // process busy, a step on too many threads can take 4x as long, and a full window of them cost more than it told.
    private const double GiveUpFactor = 1.25;

    private readonly ThreadSetting[] _candidates;
    private readonly ILogger _logger;
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _warmUpClock = new();
    private int[] _order = [];
    private double[] _secondsPerStep = [];
    private int _current;
    private int _measuring = -1;
    private int _windowStep;
    private int _stepsSinceDecision;
    private int _warmUp = WarmUpSteps;
    private bool _slowedDown;
    private int _watchStep;

    private ThreadGovernor(ThreadSetting[] candidates, ILogger logger)
    {
        _candidates = candidates;
        _logger = logger;
        Apply(_candidates[_current]);
    }

    /// <summary>The setting in use.</summary>
    public ThreadSetting Setting => _candidates[_current];

    /// <summary>
    /// A governor for <paramref name="threads"/> = 0 on a machine with more than one core (it starts on 1 thread, the
    /// safe choice on a busy machine); otherwise sets the fixed count and returns null.
    /// </summary>
    public static ThreadGovernor? Start(int threads, ILogger logger)
    {
        int cores = Environment.ProcessorCount;
        if (threads > 0 || cores == 1)
        {
            torch.set_num_threads(Math.Max(threads, 1));
            return null;
        }

        // 1, 2, 4, ... and the core count: the counts worth telling apart; then one thread with every core for MKL.
        var counts = new SortedSet<int> { cores };
        for (int count = 1; count < cores; count *= 2)
        {
            counts.Add(count);
        }

        List<ThreadSetting> candidates = [.. counts.Select(count => new ThreadSetting(count, count))];
        if (GemmThreads.Available)
        {
            candidates.Add(new ThreadSetting(1, cores));
        }

        return new ThreadGovernor([.. candidates], logger);
    }

    /// <summary>Returns MKL to libtorch's thread count (the caller restores that).</summary>
    public void Stop() => GemmThreads.Set(0);

    private static void Apply(ThreadSetting setting)
    {
        torch.set_num_threads(setting.Threads);
        // MKL follows set_num_threads unless this thread asks otherwise; 0 withdraws an earlier request.
        GemmThreads.Set(setting.GemmThreads == setting.Threads ? 0 : setting.GemmThreads);
    }

    /// <summary>Call before each training step.</summary>
    public void BeforeStep()
    {
        if (_warmUp > 0)
        {
            _warmUpClock.Start();   // from the first step, not from the set-up before it
            return;
        }

        if (_measuring < 0 && (_stepsSinceDecision == 0 || _stepsSinceDecision >= RecheckSteps || _slowedDown))
        {
            _slowedDown = false;
            // The count in use first (the baseline the others must beat), then the others.
            _order = [_current, .. Enumerable.Range(0, _candidates.Length).Where(i => i != _current)];
            _secondsPerStep = new double[_candidates.Length];
            _measuring = 0;
            _windowStep = 0;
            Apply(_candidates[_order[0]]);
        }

        if ((_measuring >= 0 && _windowStep == 0) || (_measuring < 0 && _watchStep == 0))
        {
            _clock.Restart();
        }
    }

    /// <summary>Call after each training step.</summary>
    public void AfterStep()
    {
        if (_warmUp > 0)
        {
            _warmUp = _warmUpClock.Elapsed >= WarmUpTime ? 0 : _warmUp - 1;
            return;
        }

        _stepsSinceDecision++;
        if (_measuring < 0)
        {
            // Between measurements, windows at the chosen count are still timed: when one runs much slower than the
            // count did when it was chosen (another process started), measure again now rather than at the next recheck.
            if (++_watchStep == WindowSteps)
            {
                _slowedDown = _clock.Elapsed.TotalSeconds / WindowSteps > GiveUpFactor * _secondsPerStep[_current];
                _watchStep = 0;
            }

            return;
        }

        _windowStep++;
        double perStep = _clock.Elapsed.TotalSeconds / _windowStep;
        double best = _measuring == 0 ? double.PositiveInfinity : _order.Take(_measuring).Min(i => _secondsPerStep[i]);
        bool givenUp = _windowStep >= 2 && perStep > GiveUpFactor * best;
        if (_windowStep < WindowSteps && !givenUp)
        {
            return;
        }

        _secondsPerStep[_order[_measuring]] = perStep;
        _windowStep = 0;
        if (++_measuring < _order.Length)
        {
            Apply(_candidates[_order[_measuring]]);
            return;
        }

        int fastest = Array.IndexOf(_secondsPerStep, _secondsPerStep.Min());
        if (fastest != _current)
        {
            GanLog.ThreadsChosen(_logger, _candidates[fastest].ToString(), string.Join(", ", _candidates.Select((c, i) => $"{c}: {_secondsPerStep[i] * 1000:F1} ms")));
        }

        _current = fastest;
        _watchStep = 0;
        _measuring = -1;
        _stepsSinceDecision = 1;
        Apply(_candidates[_current]);
    }
}
