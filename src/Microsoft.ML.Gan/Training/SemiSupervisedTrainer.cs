using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary><see cref="SemiSupervisedGanOptions"/> resolved once, with the data's shape and classes: all the loop reads.</summary>
internal sealed record SemiSupervisedPlan(
    int ClassCount,
    ImageShape Shape,
    SemiSupervisedNetwork Network,
    int LatentDimension,
    int BatchSize,
    float LearningRate,
    float Beta1,
    float UnlabelledWeight,
    float ConsistencyWeight,
    float ConfidenceThreshold,
    ConsistencyAugmentation StrongAugmentation,
    float ConsistencyStartShare,
    bool NoisyConsistencyTargets,
    bool DistributionAlignment,
    float DecayShare,
    float? AverageDecay,
    TrainingBudget Budget,
    int SelfTrainingEpochs,
    int SelfTrainingRounds,
    bool StudentConsistency,
    ConsistencyAugmentation StudentStrongAugmentation,
    int StudentChannels,
    float PseudoLabelConfidence,
    bool PropagateLabels,
    int Threads,
    string Device,
    IProgress<SemiSupervisedGanProgress>? Progress)
{
    public static SemiSupervisedPlan Resolve(SemiSupervisedGanOptions options, int classCount, ImageShape shape, string device) => new(
        classCount, shape, options.Network, options.LatentDimension, options.BatchSize, options.LearningRate, options.Beta1, options.UnlabelledWeight,
        options.ConsistencyWeight, options.ConfidenceThreshold, options.StrongAugmentation, options.ConsistencyStartShare, options.NoisyConsistencyTargets, options.DistributionAlignment, options.LearningRateDecayShare, options.WeightAverageDecay, options.Budget,
        options.SelfTrainingEpochs, options.SelfTrainingRounds, options.StudentConsistency && options.SelfTrainingEpochs > 0, options.StudentStrongAugmentation, options.StudentChannels, options.PseudoLabelConfidence,
        options.PropagateLabels && options.SelfTrainingEpochs > 0, options.Threads, device,
        options.Progress);

    public int ImageSize => Shape.Size;

    /// <summary>Epochs of self-training over all its rounds.</summary>
    public int SelfTrainingTotalEpochs => SelfTrainingEpochs * SelfTrainingRounds;
}

/// <summary>Images in [0, 1] with their class index, −1 for an unlabelled row.</summary>
internal sealed record LabelledImages(float[] Pixels, long[] Classes, int ImageSize)
{
    public int Count => Classes.Length;
}

/// <summary>One epoch: mean losses, validation accuracy (with validation rows) and its duration.</summary>
internal sealed record SemiSupervisedEpoch(int Epoch, double LabelledLoss, double UnlabelledLoss, double GeneratorLoss, double? ValidationAccuracy, TimeSpan Duration,
    bool SelfTraining = false);

/// <summary>The trained classifier (the student after self-training; the weight average when on) and what training recorded.</summary>
internal sealed record SemiSupervisedResult(SemiSupervisedDiscriminator Classifier, IReadOnlyList<SemiSupervisedEpoch> History, int Seed, int LabelledRows, int Steps,
    int PseudoLabelledRows);

/// <summary>
/// The Improved GAN's semi-supervised training (Salimans et al., 2016, feature matching) with a consistency term, one loop to
/// read top to bottom (<see cref="RunEpoch"/>). Every step: a discriminator step on <c>B</c> labelled rows (the labelled set
/// repeated, reshuffled each time round, shifted by up to 2 pixels), <c>B</c> rows of the unlabelled stream (every training
/// image, labelled or not), <c>B</c> generated images and the unlabelled rows strongly altered, with loss
/// <code>
/// cross-entropy(labelled) + w · ( −½ E[lse(l(x))] + ½ E[softplus(lse(l(x)))] + ½ E[softplus(lse(l(G(z))))] )
///   + c · E[ 1(p(weak x) ≥ τ) · cross-entropy(l(strong x), argmax p(weak x)) ]     (p(weak x) with or without the training noise)
/// </code>
/// (lse: log-sum-exp of the K logits; with the fake class's logit fixed at 0 the GAN term is −½ log D(x) − ½ log(1 − D(G(z)));
/// the last term is FixMatch's, Sohn et al. 2020, from <see cref="SemiSupervisedPlan.ConsistencyStartShare"/> of the budget on);
/// then a generator step on a second unlabelled stream: the squared distance
/// between the batch means of the last hidden layer's features of real and generated images. Learning rates fall linearly to
/// 0 at the end; an exponential moving average of the classifier's weights is what is measured and returned.
/// </summary>
internal sealed class SemiSupervisedTrainer
{
    private readonly SemiSupervisedPlan _plan;
    private readonly LabelledImages _data;
    private readonly LabelledImages? _validation;
    private readonly ILogger _logger;
    private readonly CancellationToken _cancellationToken;
    private readonly long[] _labelled;
    private readonly int _stepsPerEpoch;
    private readonly int _epochs;
    private readonly int _lastEpochSteps;
    private long _averageUpdates;

    private SemiSupervisedTrainer(SemiSupervisedPlan plan, LabelledImages data, LabelledImages? validation, ILogger logger, CancellationToken cancellationToken)
    {
        _plan = plan;
        _data = data;
        _validation = validation;
        _logger = logger;
        _cancellationToken = cancellationToken;
        _labelled = [.. Enumerable.Range(0, data.Count).Where(i => data.Classes[i] >= 0).Select(i => (long)i)];
        _stepsPerEpoch = Math.Max(1, data.Count / plan.BatchSize);
        if (plan.Budget.Steps is int steps)
        {
            _epochs = (steps + _stepsPerEpoch - 1) / _stepsPerEpoch;
            _lastEpochSteps = steps - ((_epochs - 1) * _stepsPerEpoch);
        }
        else
        {
            _epochs = plan.Budget.Epochs!.Value;
            _lastEpochSteps = _stepsPerEpoch;
        }
    }

    public static SemiSupervisedResult Train(LabelledImages data, LabelledImages? validation, SemiSupervisedPlan plan, int seed, ILogger logger, CancellationToken cancellationToken)
    {
        int previousThreads = torch.get_num_threads();
        ThreadGovernor? governor = ThreadGovernor.Start(plan.Threads, logger);
        try
        {
            return new SemiSupervisedTrainer(plan, data, validation, logger, cancellationToken).Run(seed, governor);
        }
        finally
        {
            governor?.Stop();
            torch.set_num_threads(previousThreads);
        }
    }

    private SemiSupervisedResult Run(int seed, ThreadGovernor? governor)
    {
        Device device = torch.device(_plan.Device);
        torch.manual_seed(seed);
        var classifier = SemiSupervisedDiscriminator.Create(_plan.Network, _plan.Shape, _plan.ClassCount);
        var generator = new FeatureMatchingGenerator(_plan.LatentDimension, _plan.ImageSize);
        SemiSupervisedDiscriminator? average = null;
        try
        {
            classifier.to(device);
            generator.to(device);
            using Tensor images = torch.tensor(_data.Pixels, [_data.Count, _data.ImageSize], device: device);
            using Tensor classes = torch.tensor(_data.Classes, device: device);
            // The consistency term's running mean prediction on unlabelled rows, when it aligns them (uniform at first).
            using Tensor? meanPrediction = _plan.DistributionAlignment ? ScalarArithmetic.Full(_plan.ClassCount, 1.0 / _plan.ClassCount, device) : null;
            // Data-dependent initialisation from the first 500 rows, as the paper's code does.
            classifier.InitializeFrom(images.narrow(0, 0, Math.Min(500, _data.Count)));
            average = NewAverage(classifier, device);

            using var classifierOptimizer = new FlatAdam([.. classifier.parameters().Where(p => p.requires_grad)], _plan.LearningRate, _plan.Beta1, 0.999);
            using var generatorOptimizer = new FlatAdam([.. generator.parameters()], _plan.LearningRate, _plan.Beta1, 0.999);
            var averaged = average is null ? null : Pairs(average, classifier);
            Parameter[] frozen = [.. classifier.parameters().Where(p => p.requires_grad)];
            SemiSupervisedDiscriminator published = average ?? classifier;
            var history = new List<SemiSupervisedEpoch>();
            var clock = Stopwatch.StartNew();
            GanLog.SemiSupervisedStarted(_logger, _data.Count, _labelled.Length, _plan.ClassCount, _epochs, _stepsPerEpoch, seed);
            for (int epoch = 1; epoch <= _epochs; epoch++)
            {
                TimeSpan start = clock.Elapsed;
                (double labelled, double unlabelled, double generated) = RunEpoch(classifier, generator, images, classes, classifierOptimizer, generatorOptimizer,
                    averaged, frozen, meanPrediction, epoch, epoch == _epochs ? _lastEpochSteps : _stepsPerEpoch, governor, device);
                if (!double.IsFinite(labelled) || !double.IsFinite(unlabelled) || !double.IsFinite(generated))
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"Semi-supervised training diverged in epoch {epoch}: labelled loss {labelled}, unlabelled loss {unlabelled}, generator loss {generated}. " +
                        $"Lower {nameof(SemiSupervisedGanOptions)}.{nameof(SemiSupervisedGanOptions.LearningRate)}."));
                }

                double? accuracy = _validation is null ? null : Accuracy(published, _validation, device);
                var summary = new SemiSupervisedEpoch(epoch, labelled, unlabelled, generated, accuracy, clock.Elapsed - start);
                history.Add(summary);
                if (accuracy is double measured)
                {
                    GanLog.SemiSupervisedEpoch(_logger, epoch, _epochs, labelled, unlabelled, generated, measured, summary.Duration.TotalSeconds);
                }
                else
                {
                    GanLog.SemiSupervisedEpochUnmeasured(_logger, epoch, _epochs, labelled, unlabelled, generated, summary.Duration.TotalSeconds);
                }
                _plan.Progress?.Report(new SemiSupervisedGanProgress(epoch, _epochs, labelled, unlabelled, generated, accuracy, clock.Elapsed));
            }

            published.eval();
            if (!ReferenceEquals(published, classifier))
            {
                classifier.Dispose();
            }

            int pseudoLabelled = 0;
            using Tensor? propagated = _plan.PropagateLabels ? Propagate(images, classes) : null;
            for (int round = 1; round <= _plan.SelfTrainingRounds && _plan.SelfTrainingEpochs > 0; round++)
            {
                SemiSupervisedDiscriminator teacher = published;
                (published, pseudoLabelled) = SelfTrain(teacher, round, images, classes, propagated, history, clock, governor, device);
                teacher.Dispose();
            }

            return new SemiSupervisedResult(published, history, seed, _labelled.Length, ((_epochs - 1) * _stepsPerEpoch) + _lastEpochSteps, pseudoLabelled);
        }
        catch
        {
            classifier.Dispose();
            average?.Dispose();
            throw;
        }
        finally
        {
            generator.Dispose();
        }
    }

    /// <summary>
    /// One round of self-training: <paramref name="teacher"/> (the GAN's classifier in the first round, the last round's
    /// student after it) labels the unlabelled rows (<see cref="PseudoLabels"/>), and a fresh
    /// <see cref="SemiSupervisedNetwork.Cnn"/> learns them and the labelled rows by cross-entropy, every image turned, scaled,
    /// sheared and shifted at random (the consistency term's affine view, without its cut-out), with Adam (learning rate
    /// 0.001, β 0.9, 0.999), the same learning-rate decay and weight average as the GAN; with
    /// <see cref="SemiSupervisedPlan.StudentConsistency"/> every step also takes a batch of unlabelled rows, which the student
    /// must give its own confident classes (<see cref="ConfidentClasses"/>) in their strong view
    /// (<see cref="SemiSupervisedPlan.StudentStrongAugmentation"/>). Returns the student (its
    /// average) and how many unlabelled rows it learned with the teacher's classes.
    /// </summary>
    private (SemiSupervisedDiscriminator Student, int PseudoLabelled) SelfTrain(SemiSupervisedDiscriminator teacher, int round, Tensor images, Tensor classes,
        Tensor? propagated, List<SemiSupervisedEpoch> history, Stopwatch clock, ThreadGovernor? governor, Device device)
    {
        ImageShape shape = _plan.Shape;
        Tensor probabilities;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            teacher.eval();
            probabilities = torch.cat([.. Enumerable.Range(0, (_data.Count + 999) / 1000)
                .Select(chunk => nn.functional.softmax(teacher.forward(images.narrow(0, chunk * 1000L, Math.Min(1000, _data.Count - (chunk * 1000)))).Logits, 1))], 0)
                .MoveToOuterDisposeScope();
        }

        // With the graph, a row the teacher is sure of takes the class the teacher and the graph agree on best.
        using Tensor? combined = propagated is null ? null : LabelPropagation.Classes(probabilities, propagated);
        (Tensor rows, Tensor targets) = PseudoLabels(probabilities, classes, _plan.PseudoLabelConfidence, combined);
        probabilities.Dispose();
        // Every unlabelled row, for the student's own consistency term when the plan asks for it.
        using Tensor? unlabelledRows = _plan.StudentConsistency ? UnlabelledRows(classes) : null;
        using (rows)
        using (targets)
        {
            long count = rows.shape[0];
            int pseudoLabelled = (int)count - _labelled.Length;
            int b = (int)Math.Min(_plan.BatchSize, count);   // fewer rows than a batch (tiny data, a strict confidence): one step of them all
            int steps = (int)(count / b);
            long total = (long)steps * _plan.SelfTrainingEpochs;
            int before = _epochs + ((round - 1) * _plan.SelfTrainingEpochs);   // epochs the history holds when this round starts
            int totalEpochs = _epochs + _plan.SelfTrainingTotalEpochs;
            GanLog.SelfTrainingStarted(_logger, round, _plan.SelfTrainingRounds, pseudoLabelled, _data.Count - _labelled.Length, _plan.PseudoLabelConfidence, _plan.SelfTrainingEpochs, steps);
            var student = SemiSupervisedDiscriminator.Create(SemiSupervisedNetwork.Cnn, shape, _plan.ClassCount, _plan.StudentChannels);
            SemiSupervisedDiscriminator? average = null;
            try
            {
                student.to(device);
                average = NewAverage(student, device);

                var averaged = average is null ? null : Pairs(average, student);
                _averageUpdates = 0;
                using var optimizer = new FlatAdam([.. student.parameters()], StudentLearningRate, StudentBeta1, 0.999);
                SemiSupervisedDiscriminator published = average ?? student;
                long done = 0;
                for (int epoch = 1; epoch <= _plan.SelfTrainingEpochs; epoch++)
                {
                    TimeSpan begin = clock.Elapsed;
                    using var epochScope = torch.NewDisposeScope();
                    Tensor order = rows.index_select(0, torch.randperm(count, device: device));
                    Tensor? unlabelledOrder = unlabelledRows?.index_select(0, torch.randperm(unlabelledRows.shape[0], device: device));
                    Tensor lossSum = ScalarArithmetic.Full(1, 0, device);
                    student.train();
                    for (int step = 0; step < steps; step++, done++)
                    {
                        _cancellationToken.ThrowIfCancellationRequested();
                        governor?.BeforeStep();
                        using var stepScope = torch.NewDisposeScope();
                        optimizer.LearningRate = StudentLearningRate * DecayFactor(done, total);
                        Tensor batchRows = order.narrow(0, (long)step * b, b);
                        Tensor batch = StrongAffine(images.index_select(0, batchRows), shape);
                        Tensor loss;
                        if (unlabelledOrder is null)
                        {
                            loss = nn.functional.cross_entropy(student.forward(batch).Logits, targets.index_select(0, batchRows));
                        }
                        else
                        {
                            Tensor unlabelledImages = images.index_select(0, WrappedBatch(unlabelledOrder, step, b));
                            (Tensor ownTargets, Tensor confident) = ConfidentClasses(average ?? student, unlabelledImages, shape);
                            long taught = batchRows.shape[0];
                            Tensor logits = student.forward(torch.cat([batch, Strong(unlabelledImages, shape, _plan.StudentStrongAugmentation)], 0)).Logits;
                            Tensor consistency = nn.functional.cross_entropy(logits.narrow(0, taught, unlabelledImages.shape[0]), ownTargets, reduction: nn.Reduction.None);
                            loss = nn.functional.cross_entropy(logits.narrow(0, 0, taught), targets.index_select(0, batchRows)).Plus((consistency * confident).mean());
                        }

                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                        UpdateAverage(averaged);
                        lossSum.PlusInPlace(loss.detach());
                        governor?.AfterStep();
                    }

                    double mean = lossSum.item<float>() / steps;
                    if (!double.IsFinite(mean))
                    {
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                            $"Self-training diverged in its epoch {epoch}: loss {mean}. Set {nameof(SemiSupervisedGanOptions)}.{nameof(SemiSupervisedGanOptions.SelfTrainingEpochs)} to 0 to keep the GAN's classifier."));
                    }

                    double? accuracy = _validation is null ? null : Accuracy(published, _validation, device);
                    var summary = new SemiSupervisedEpoch(before + epoch, mean, 0, 0, accuracy, clock.Elapsed - begin, SelfTraining: true);
                    history.Add(summary);
                    if (accuracy is double measured)
                    {
                        GanLog.SelfTrainingEpoch(_logger, epoch, _plan.SelfTrainingEpochs, mean, measured, summary.Duration.TotalSeconds);
                    }
                    else
                    {
                        GanLog.SelfTrainingEpochUnmeasured(_logger, epoch, _plan.SelfTrainingEpochs, mean, summary.Duration.TotalSeconds);
                    }

                    _plan.Progress?.Report(new SemiSupervisedGanProgress(before + epoch, totalEpochs, mean, 0, 0, accuracy, clock.Elapsed, SelfTraining: true));
                }

                if (!ReferenceEquals(published, student))
                {
                    student.Dispose();
                }

                published.eval();
                return (published, pseudoLabelled);
            }
            catch
            {
                student.Dispose();
                average?.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// The rows self-training learns and every row's class: a labelled row (class ≥ 0) keeps its own class; an unlabelled one
    /// (−1) is kept when the teacher's highest probability is at least <paramref name="confidence"/>, and takes that class,
    /// or its class in <paramref name="chosen"/> when given (<see cref="LabelPropagation.Classes"/>).
    /// </summary>
    internal static (Tensor Rows, Tensor Classes) PseudoLabels(Tensor probabilities, Tensor classes, float confidence, Tensor? chosen = null)
    {
        using var scope = torch.NewDisposeScope();
        (Tensor best, Tensor predicted) = probabilities.max(1);
        Tensor known = classes.OnesWhereAtLeast(0).to_type(ScalarType.Bool);
        Tensor keep = known.logical_or(best.OnesWhereAtLeast(confidence).to_type(ScalarType.Bool));
        Tensor label = torch.where(known, classes, chosen ?? predicted);
        return (keep.nonzero().flatten().MoveToOuterDisposeScope(), label.MoveToOuterDisposeScope());
    }

    /// <summary>The labelled rows' classes spread over the training images' graph (<see cref="LabelPropagation"/>), once for every round.</summary>
    private Tensor Propagate(Tensor images, Tensor classes)
    {
        GanLog.PropagatingLabels(_logger, _data.Count, LabelPropagation.Neighbours);
        var watch = Stopwatch.StartNew();
        Tensor propagated = LabelPropagation.Propagate(images, classes, _plan.Shape, _plan.ClassCount, _cancellationToken);
        GanLog.LabelsPropagated(_logger, _data.Count, LabelPropagation.Neighbours, watch.Elapsed.TotalSeconds);
        return propagated;
    }

    /// <summary>Every row without a label (class −1), as row indices.</summary>
    private static Tensor UnlabelledRows(Tensor classes)
    {
        using Tensor unlabelled = classes.Below(0);
        using Tensor indices = unlabelled.nonzero();
        return indices.flatten();
    }

    /// <summary>
    /// The <paramref name="step"/>-th batch of <paramref name="size"/> rows (all of them when fewer) of an epoch's
    /// <paramref name="order"/> of rows, starting over from the front when the next batch would run past its end.
    /// </summary>
    private static Tensor WrappedBatch(Tensor order, int step, int size)
    {
        long count = order.shape[0];
        int take = (int)Math.Min(size, count);
        long start = ((long)step * take) % Math.Max(1, count - take + 1);
        return order.narrow(0, start, take);
    }

    /// <summary>
    /// The student's own targets for its consistency term: <paramref name="labeller"/> (its weight average, scoring without
    /// noise) labels <paramref name="images"/> shifted by up to a pixel; a row counts (mask 1) where that class's probability
    /// reaches <see cref="SemiSupervisedPlan.PseudoLabelConfidence"/>.
    /// </summary>
    private (Tensor Classes, Tensor Confident) ConfidentClasses(SemiSupervisedDiscriminator labeller, Tensor images, ImageShape shape)
    {
        using var noGrad = torch.no_grad();
        bool wasTraining = labeller.training;
        labeller.eval();
        Tensor probabilities = nn.functional.softmax(labeller.forward(DiffAugment.Shift(images, shape, WeakShift, Blank)).Logits, 1);
        labeller.train(wasTraining);
        (Tensor confidence, Tensor classes) = probabilities.max(1);
        return (classes, confidence.OnesWhereAtLeast(_plan.PseudoLabelConfidence));
    }

    private const double StudentLearningRate = 0.001;
    private const double StudentBeta1 = 0.9;

    /// <summary>One pass over the unlabelled stream. Returns the mean labelled, unlabelled and generator losses.</summary>
    private (double Labelled, double Unlabelled, double Generator) RunEpoch(SemiSupervisedDiscriminator classifier, FeatureMatchingGenerator generator, Tensor images,
        Tensor classes, FlatAdam classifierOptimizer, FlatAdam generatorOptimizer, List<(Tensor Average, Tensor Current)>? averaged, Parameter[] frozen, Tensor? meanPrediction, int epoch, int steps,
        ThreadGovernor? governor, Device device)
    {
        int b = _plan.BatchSize;
        ImageShape shape = _plan.Shape;
        using var epochScope = torch.NewDisposeScope();
        // The labelled rows, repeated in fresh orders until they fill the epoch's steps; two orders of every row for the
        // unlabelled streams (the discriminator's and the generator's), as the paper's code draws them.
        Tensor labelled = LabelledOrder(steps * b, device);
        Tensor unlabelled = torch.randperm(_data.Count, device: device);
        Tensor unlabelledForGenerator = torch.randperm(_data.Count, device: device);
        Tensor labelledLossSum = ScalarArithmetic.Full(1, 0, device);
        Tensor unlabelledLossSum = ScalarArithmetic.Full(1, 0, device);
        Tensor generatorLossSum = ScalarArithmetic.Full(1, 0, device);
        classifier.train();
        generator.train();
        for (int step = 0; step < steps; step++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            governor?.BeforeStep();
            using var stepScope = torch.NewDisposeScope();
            long globalStep = ((long)(epoch - 1) * _stepsPerEpoch) + step;
            Decay(classifierOptimizer, generatorOptimizer, globalStep);
            int real = Math.Min(b, _data.Count);
            Tensor labelledRows = labelled.narrow(0, step * b, b);
            // Labelled images shifted by up to 2 pixels: a hundred labels go further seen from a few places.
            Tensor labelledImages = DiffAugment.Shift(images.index_select(0, labelledRows), shape, LabelledShift, Blank);
            Tensor labelledClasses = classes.index_select(0, labelledRows);
            Tensor unlabelledImages = images.index_select(0, WrappedBatch(unlabelled, step, b));

            // Discriminator (classifier) step: labelled, unlabelled, generated and strongly altered unlabelled rows in one pass
            // (no batch statistics, so one pass computes what separate ones would).
            Tensor fake;
            Tensor? targets = null, confident = null;
            using (torch.no_grad())
            {
                fake = generator.forward(torch.rand(b, _plan.LatentDimension, device: device));
                if (_plan.ConsistencyWeight > 0 && globalStep >= _plan.ConsistencyStartShare * TotalSteps)
                {
                    // The targets come with the training noise on, or from the classifier as it scores (no noise) when the plan asks.
                    classifier.train(_plan.NoisyConsistencyTargets);
                    Tensor weak = nn.functional.softmax(classifier.forward(DiffAugment.Shift(unlabelledImages, shape, WeakShift, Blank)).Logits, 1);
                    classifier.train();
                    if (meanPrediction is not null)
                    {
                        weak = AlignDistribution(weak, meanPrediction);
                    }

                    (Tensor confidence, targets) = weak.max(1);
                    confident = confidence.OnesWhereAtLeast(_plan.ConfidenceThreshold);
                }
            }

            Tensor[] batch = targets is null
                ? [labelledImages, unlabelledImages, fake]
                : [labelledImages, unlabelledImages, fake, Strong(unlabelledImages, shape, _plan.StrongAugmentation)];
            (Tensor logits, _) = classifier.forward(torch.cat(batch, 0));
            Tensor labelledLoss = nn.functional.cross_entropy(logits.narrow(0, 0, b), labelledClasses);
            Tensor realLse = logits.narrow(0, b, real).logsumexp(1);
            Tensor fakeLse = logits.narrow(0, b + real, b).logsumexp(1);
            Tensor unlabelledLoss = (FeatureMatchingGenerator.Softplus(realLse).mean() - realLse.mean())
                .Plus(FeatureMatchingGenerator.Softplus(fakeLse).mean()).Times(0.5);
            Tensor loss = labelledLoss.Plus(unlabelledLoss.Times(_plan.UnlabelledWeight));
            if (targets is not null)
            {
                Tensor strong = nn.functional.cross_entropy(logits.narrow(0, b + real + b, real), targets, reduction: nn.Reduction.None);
                loss = loss.Plus((strong * confident!).mean().Times(_plan.ConsistencyWeight));
            }

            classifierOptimizer.zero_grad();
            loss.backward();
            classifierOptimizer.step();
            UpdateAverage(averaged);
            labelledLossSum.PlusInPlace(labelledLoss.detach());
            unlabelledLossSum.PlusInPlace(unlabelledLoss.detach());

            // Generator step: match the mean last-hidden-layer features of a second unlabelled batch; a second step when the
            // generator has fallen behind (loss above 1) after the first two epochs, as ImprovedGAN-pytorch does.
            Tensor realImages = images.index_select(0, WrappedBatch(unlabelledForGenerator, step, b));
            Tensor generatorLoss = GeneratorStep(classifier, generator, generatorOptimizer, realImages, frozen, device);
            if (epoch > 2 && generatorLoss.item<float>() > 1)
            {
                generatorLoss = GeneratorStep(classifier, generator, generatorOptimizer, realImages, frozen, device);
            }

            generatorLossSum.PlusInPlace(generatorLoss);
            governor?.AfterStep();
        }

        return (labelledLossSum.item<float>() / steps, unlabelledLossSum.item<float>() / steps, generatorLossSum.item<float>() / steps);
    }

    /// <summary>
    /// Distribution alignment with a uniform target: first folds the batch's mean of <paramref name="probabilities"/> into
    /// <paramref name="meanPrediction"/> (in place, decay <see cref="AlignmentDecay"/>), then returns every row multiplied by
    /// 1 / (K × <paramref name="meanPrediction"/>) and normalised to sum to 1.
    /// </summary>
    internal static Tensor AlignDistribution(Tensor probabilities, Tensor meanPrediction)
    {
        meanPrediction.TimesInPlace(AlignmentDecay).PlusInPlace(probabilities.mean([0L]), 1 - AlignmentDecay);
        Tensor aligned = probabilities / meanPrediction.Times(meanPrediction.shape[0]);
        return aligned / aligned.sum(1, keepdim: true);
    }

    /// <summary>Decay of the running mean prediction of <see cref="AlignDistribution"/>: about the last 128 batches, as ReMixMatch averages.</summary>
    internal const double AlignmentDecay = 127.0 / 128;

    /// <summary>
    /// Shifts (pixels) and the cut-out side of the augmentations, the strong affine view's largest turn (degrees), scale change
    /// and shear, and the value that fills what moved out.
    /// </summary>
    private const int LabelledShift = 2;
    private const int WeakShift = 1;
    private const int StrongShift = 4;
    private const int CutOutSize = 8;
    private const double StrongDegrees = 20;
    private const double StrongScale = 0.15;
    private const double StrongShear = 0.3;
    private const float Blank = 0f;

    /// <summary>The strong <paramref name="view"/> of <paramref name="images"/> in a consistency term.</summary>
    private static Tensor Strong(Tensor images, ImageShape shape, ConsistencyAugmentation view) => view switch
    {
        ConsistencyAugmentation.ShiftAndCutOut => DiffAugment.CutOut(DiffAugment.Shift(images, shape, StrongShift, Blank), shape, CutOutSize, Blank),
        ConsistencyAugmentation.AffineAndCutOut => DiffAugment.CutOut(StrongAffine(images, shape), shape, CutOutSize, Blank),
        ConsistencyAugmentation.Affine => StrongAffine(images, shape),
        _ => throw new ArgumentOutOfRangeException(nameof(view), view, null),
    };

    /// <summary>The strong view's turn, scale, shear and shift, without the cut-out.</summary>
    private static Tensor StrongAffine(Tensor images, ImageShape shape) => DiffAugment.Affine(images, shape, StrongDegrees, StrongScale, StrongShear, StrongShift);

    /// <summary>One feature-matching step of the generator against <paramref name="realImages"/>; returns its loss (detached).</summary>
    private Tensor GeneratorStep(SemiSupervisedDiscriminator classifier, FeatureMatchingGenerator generator, FlatAdam optimizer, Tensor realImages, Parameter[] frozen, Device device)
    {
        Tensor generated = generator.forward(torch.rand(_plan.BatchSize, _plan.LatentDimension, device: device));
        long real = realImages.shape[0];
        Tensor loss;
        foreach (Parameter parameter in frozen)
        {
            parameter.requires_grad_(false);
        }

        try
        {
            (_, Tensor features) = classifier.forward(torch.cat([realImages, generated], 0));
            Tensor difference = features.narrow(0, 0, real).mean([0]).detach() - features.narrow(0, real, _plan.BatchSize).mean([0]);
            loss = (difference * difference).mean();
        }
        finally
        {
            foreach (Parameter parameter in frozen)
            {
                parameter.requires_grad_(true);
            }
        }

        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.detach();
    }

    /// <summary>Both learning rates, falling linearly to 0 over the last <see cref="SemiSupervisedPlan.DecayShare"/> of the steps.</summary>
    private void Decay(FlatAdam classifierOptimizer, FlatAdam generatorOptimizer, long step)
    {
        classifierOptimizer.LearningRate = generatorOptimizer.LearningRate = _plan.LearningRate * DecayFactor(step, TotalSteps);
    }

    /// <summary>Steps of the GAN's budget.</summary>
    private long TotalSteps => ((long)(_epochs - 1) * _stepsPerEpoch) + _lastEpochSteps;

    /// <summary>The learning-rate factor at <paramref name="step"/> of <paramref name="total"/>: 1, falling linearly to 0 over the last <see cref="SemiSupervisedPlan.DecayShare"/>.</summary>
    private double DecayFactor(long step, long total) => _plan.DecayShare <= 0 ? 1 : Math.Min(1, (total - step) / (_plan.DecayShare * total));

    /// <summary>Enough labelled row indices for <paramref name="count"/> draws: whole fresh permutations of the labelled set, concatenated.</summary>
    private Tensor LabelledOrder(int count, Device device)
    {
        using Tensor rows = torch.tensor(_labelled, device: device);
        var orders = new List<Tensor>();
        for (int filled = 0; filled < count; filled += _labelled.Length)
        {
            orders.Add(rows.index_select(0, torch.randperm(_labelled.Length, device: device)));
        }

        return torch.cat(orders, 0);
    }

    /// <summary>The weight average of <paramref name="current"/> (a copy of its network in eval mode), or null when the plan has none.</summary>
    private SemiSupervisedDiscriminator? NewAverage(SemiSupervisedDiscriminator current, Device device)
    {
        if (_plan.AverageDecay is null)
        {
            return null;
        }

        int channels = current is CnnSemiSupervisedDiscriminator cnn ? cnn.Channels : CnnSemiSupervisedDiscriminator.DefaultChannels;
        var average = SemiSupervisedDiscriminator.Create(current.Network, _plan.Shape, _plan.ClassCount, channels);
        average.to(device);
        average.load_state_dict(current.state_dict());
        average.eval();
        return average;
    }

    private static List<(Tensor Average, Tensor Current)> Pairs(SemiSupervisedDiscriminator average, SemiSupervisedDiscriminator current)
    {
        Dictionary<string, Tensor> live = current.state_dict();
        return [.. average.state_dict().Select(entry => (entry.Value, live[entry.Key]))];
    }

    private void UpdateAverage(List<(Tensor Average, Tensor Current)>? averaged)
    {
        if (averaged is null || _plan.AverageDecay is not float target)
        {
            return;
        }

        // Ramped as TensorFlow's ExponentialMovingAverage with num_updates: min(decay, (1 + t) / (10 + t)), so a short budget's
        // average does not keep most of the initial weights (0.999 keeps 67 % of them after 400 steps).
        _averageUpdates++;
        float decay = Math.Min(target, (1f + _averageUpdates) / (10f + _averageUpdates));
        using var noGrad = torch.no_grad();
        using Scalar keep = decay.ToScalar();
        using Scalar take = (1 - decay).ToScalar();
        foreach ((Tensor average, Tensor current) in averaged)
        {
            average.mul_(keep).add_(current, take);
        }
    }

    /// <summary>Share of <paramref name="data"/>'s rows whose class has the largest logit (no noise: eval mode).</summary>
    internal static double Accuracy(SemiSupervisedDiscriminator classifier, LabelledImages data, Device device)
    {
        bool wasTraining = classifier.training;
        classifier.eval();
        long correct = 0;
        using (torch.no_grad())
        {
            for (int start = 0; start < data.Count; start += 1000)
            {
                using var scope = torch.NewDisposeScope();
                int size = Math.Min(1000, data.Count - start);
                Tensor batch = torch.tensor(data.Pixels.AsSpan(start * data.ImageSize, size * data.ImageSize).ToArray(), [size, data.ImageSize], device: device);
                Tensor predicted = classifier.forward(batch).Logits.argmax(1);
                Tensor truth = torch.tensor(data.Classes.AsSpan(start, size).ToArray(), device: device);
                correct += (predicted == truth).sum().item<long>();
            }
        }

        classifier.train(wasTraining);
        return correct / (double)data.Count;
    }
}
