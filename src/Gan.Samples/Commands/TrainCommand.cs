using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Spectre.Console;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>train</c>: trains a GAN on MNIST through MLContext, with a progress display; writes the model zip,
/// a PNG grid of the 16 fixed-latent samples after every epoch (the article's view_samples), the loss
/// history as CSV, loss and FID curves as PNG and a self-contained HTML report.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        // Every default shown here is the library's, read from its option classes; only --epochs (5, the README's job), --eval-every
        // (1) and --seed (1) are the app's own choices.
        var defaults = new GanOptions();
        var mlp = new MlpNetworkOptions();
        var dcgan = new DcganNetworkOptions();
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/train");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<int> epochs = new("--epochs") { Description = "Epochs (the article trains 100).", DefaultValueFactory = _ => 5 };
        GanOptions recipeOptions = GanOptions.SyntheticDataRecipe();
        var recipeNetwork = (DcganNetworkOptions)recipeOptions.Network;
        Option<bool> recipe = new("--synthetic-data-recipe")
        {
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Start from the recipe for labelled synthetic training data: conditional {recipeNetwork.Architecture} of width {recipeNetwork.Width}, " +
                $"--ema {recipeOptions.GeneratorEmaDecay}, --mode-seeking {recipeOptions.ModeSeekingWeight}, --epochs {recipeOptions.Budget.Epochs} (options given explicitly override it)."),
        };
        Option<int?> maxSteps = new("--max-steps") { Description = "Train this many generator steps instead of --epochs (a step budget, whatever the data size)." };
        Option<DiffAugmentPolicy> diffAugment = new("--diff-augment")
        {
            Description = "DiffAugment policy for the discriminator's inputs: None, or a comma list of Color, Translation, Cutout (e.g. Translation,Cutout).",
            DefaultValueFactory = _ => defaults.DiffAugment,
        };
        Option<float> modeSeeking = new("--mode-seeking") { Description = "Weight of the mode-seeking term (MSGAN) against one style per class; 0 turns it off.", DefaultValueFactory = _ => defaults.ModeSeekingWeight };
        Option<bool> spectralNorm = new("--spectral-norm") { Description = "Spectral normalization of the Dcgan discriminator instead of its batch norm (Dcgan only)." };
        Option<int?> maxRows = new("--max-rows") { Description = "Train on the first N MNIST rows only (default: all 60,000)." };
        Option<int> batchSize = new("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize };
        Option<int> hiddenSize = new("--hidden-size") { Description = "The article's h (layers h, 2h, 4h; Mlp only).", DefaultValueFactory = _ => mlp.HiddenSize };
        Option<int> latentDimension = new("--latent-dim") { Description = "Size of z.", DefaultValueFactory = _ => defaults.LatentDimension };
        Option<float?> learningRate = new("--lr")
        {
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Adam learning rate of both networks (default: {mlp.DefaultLearningRate} for Mlp, {dcgan.DefaultLearningRate} for Dcgan)."),
        };
        Option<float?> generatorLearningRate = new("--g-lr") { Description = "Adam learning rate of the generator (overrides --lr)." };
        Option<float?> discriminatorLearningRate = new("--d-lr") { Description = "Adam learning rate of the discriminator (overrides --lr)." };
        Option<float?> beta1 = new("--beta1")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"Adam beta1 of both networks (default: {mlp.DefaultBetas.Beta1} for Mlp, {dcgan.DefaultBetas.Beta1} for Dcgan)."),
        };
        Option<float?> beta2 = new("--beta2")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"Adam beta2 of both networks (default: {mlp.DefaultBetas.Beta2} for Mlp, {dcgan.DefaultBetas.Beta2} for Dcgan)."),
        };
        Option<int> dcganWidth = new("--dcgan-width") { Description = "Base width w of Dcgan (channels w and 2w; Dcgan only).", DefaultValueFactory = _ => dcgan.Width };
        Option<GanArchitecture> architecture = new("--architecture") { Description = "Networks: Mlp (the article's) or Dcgan.", DefaultValueFactory = _ => defaults.Network.Architecture };
        Option<GanLoss> loss = new("--loss") { Description = "NonSaturating (the article's), Hinge or WassersteinGradientPenalty.", DefaultValueFactory = _ => defaults.AdversarialLoss.Kind };
        Option<bool> conditional = new("--conditional") { Description = "Condition on the digit label (generates labelled digits)." };
        Option<bool> auxiliary = new("--aux-classifier") { Description = "AC-GAN: the discriminator also classifies (needs --conditional)." };
        Option<int> criticSteps = new("--critic-steps") { Description = "Discriminator steps per generator step.", DefaultValueFactory = _ => defaults.DiscriminatorStepsPerGeneratorStep };
        Option<float?> ema = CommonOptions.Ema();
        Option<bool> emaWarmup = CommonOptions.EmaWarmup();
        Option<float?> maxGradientNorm = new("--max-grad-norm") { Description = "Clip gradient norms to this value." };
        Option<DirectoryInfo?> checkpoints = new("--checkpoint-dir") { Description = "Write checkpoints here (every --checkpoint-every epochs)." };
        Option<int> checkpointEvery = new("--checkpoint-every") { Description = "Epochs between checkpoints.", DefaultValueFactory = _ => defaults.CheckpointEveryEpochs };
        Option<int> evaluateEvery = new("--eval-every") { Description = "Measure FID/KID (MNIST feature network) every N epochs; 0 turns it off.", DefaultValueFactory = _ => 1 };
        Option<int> evaluationSamples = new("--eval-samples") { Description = "Images per in-training FID/KID.", DefaultValueFactory = _ => defaults.EvaluationSampleCount };
        Option<bool> overwriteCheckpoints = new("--overwrite-checkpoints") { Description = "Let a fresh run delete another run's checkpoints in --checkpoint-dir (otherwise an error)." };
        Option<bool> resume = new("--resume") { Description = "Continue from the newest checkpoint in --checkpoint-dir; --epochs is the total." };
        Option<LatentDistribution> distribution = new("--latent-distribution") { Description = "Distribution of z.", DefaultValueFactory = _ => defaults.LatentDistribution };
        Option<int> seed = new("--seed") { Description = "Training seed.", DefaultValueFactory = _ => 1 };
        Option<DirectoryInfo?> tensorBoard = new("--tensorboard")
        {
            Description = $"Write TensorBoard event files here ('tensorboard --logdir DIR'): losses every {defaults.TensorBoardLossEveryNSteps} steps, epoch losses, learning rates, FID/KID, the sample grid per epoch.",
        };
        Option<int> gridScale = CommonOptions.GridScale();
        Option<string> device = CommonOptions.Device("TorchSharp device to train on");
        Option<int> threads = new("--threads") { Description = "TorchSharp intra-op threads; 0 times 1, 2, ... threads while training and keeps the fastest (faster, but not bit-for-bit reproducible for every network; see GanOptions.Threads).", DefaultValueFactory = _ => defaults.Threads };

        var command = new Command("train", "Train a GAN on MNIST (by default the article's vanilla GAN); write the model zip, per-epoch sample grids and the loss CSV.")
        {
            mnistDirectory, output, recipe, epochs, maxSteps, diffAugment, modeSeeking, spectralNorm, maxRows, batchSize, hiddenSize, latentDimension, learningRate, generatorLearningRate, discriminatorLearningRate,
            beta1, beta2, dcganWidth, distribution, seed, threads, logLevel,
            architecture, loss, conditional, auxiliary, criticSteps, ema, emaWarmup, maxGradientNorm, checkpoints, checkpointEvery, resume, overwriteCheckpoints,
            evaluateEvery, evaluationSamples, tensorBoard, gridScale, device,
        };
        command.SetAction((result, cancellationToken) =>
        {
            // The recipe replaces the defaults of the options it sets; an option given on the command line wins either way.
            bool useRecipe = result.GetValue(recipe);
            GanOptions start = useRecipe ? recipeOptions : defaults;
            bool Given(Option option) => result.GetResult(option) is { Implicit: false };
            T Value<T>(Option<T> option, T startValue) => useRecipe && !Given(option) ? startValue : result.GetValue(option)!;
            GanArchitecture chosen = Value(architecture, start.Network.Architecture);
            // A setting of the other architecture is an error, never ignored (the library's options cannot even hold one).
            (Option Option, object? Value, GanArchitecture Owner, string Instead)[] owned =
            [
                (hiddenSize, result.GetValue(hiddenSize), GanArchitecture.Mlp, "Dcgan's size is --dcgan-width"),
                (dcganWidth, result.GetValue(dcganWidth), GanArchitecture.Dcgan, "Mlp's size is --hidden-size"),
                (spectralNorm, result.GetValue(spectralNorm), GanArchitecture.Dcgan, "the Mlp discriminator has no batch norm to replace"),
            ];
            foreach ((Option option, object? value, GanArchitecture owner, string instead) in owned)
            {
                if (Given(option) && chosen != owner)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"{option.Name} ({value}) applies to the {owner} architecture only; --architecture is {chosen}, which would ignore it ({instead})."));
                }
            }

            GanNetworkOptions network = chosen == GanArchitecture.Dcgan
                ? new DcganNetworkOptions
                {
                    Width = Given(dcganWidth) || !useRecipe || start.Network is not DcganNetworkOptions recipeDcgan ? result.GetValue(dcganWidth) : recipeDcgan.Width,
                    SpectralNormalization = result.GetValue(spectralNorm),
                }
                : new MlpNetworkOptions { HiddenSize = result.GetValue(hiddenSize) };
            float? learning = result.GetValue(learningRate);
            float? firstBeta = result.GetValue(beta1), secondBeta = result.GetValue(beta2);
            // One of --beta1/--beta2 given: the other is the network's default.
            (float, float)? betas = firstBeta is null && secondBeta is null ? null : (firstBeta ?? network.DefaultBetas.Beta1, secondBeta ?? network.DefaultBetas.Beta2);
            int? steps = result.GetValue(maxSteps);
            if (steps is not null && Given(epochs))
            {
                throw new ArgumentException("--epochs and --max-steps are both given; a run is measured in one of them.");
            }

            var options = new GanOptions
            {
                Network = network,
                AdversarialLoss = GanLossOptions.For(result.GetValue(loss)),
                Budget = steps is int generatorSteps ? TrainingBudget.OfSteps(generatorSteps) : TrainingBudget.OfEpochs(Value(epochs, start.Budget.Epochs ?? 5)),
                DiffAugment = result.GetValue(diffAugment),
                ModeSeekingWeight = Value(modeSeeking, start.ModeSeekingWeight),
                BatchSize = result.GetValue(batchSize),
                LatentDimension = result.GetValue(latentDimension),
                GeneratorLearningRate = result.GetValue(generatorLearningRate) ?? learning,
                DiscriminatorLearningRate = result.GetValue(discriminatorLearningRate) ?? learning,
                GeneratorBetas = betas,
                DiscriminatorBetas = betas,
                LatentDistribution = result.GetValue(distribution),
                Seed = result.GetValue(seed),
                Threads = result.GetValue(threads),
                Conditional = Value(conditional, start.Conditional),
                AuxiliaryClassifier = result.GetValue(auxiliary),
                DiscriminatorStepsPerGeneratorStep = result.GetValue(criticSteps),
                GeneratorEmaDecay = Value(ema, start.GeneratorEmaDecay),
                GeneratorEmaWarmup = Value(emaWarmup, start.GeneratorEmaWarmup),
                MaxGradientNorm = result.GetValue(maxGradientNorm),
                CheckpointDirectory = result.GetValue(checkpoints)?.FullName,
                CheckpointEveryEpochs = result.GetValue(checkpointEvery),
                Resume = result.GetValue(resume),
                OverwriteCheckpoints = result.GetValue(overwriteCheckpoints),
                EvaluateEveryEpochs = result.GetValue(evaluateEvery),
                EvaluationSampleCount = result.GetValue(evaluationSamples),
                TensorBoardDirectory = result.GetValue(tensorBoard)?.FullName,
                Device = result.GetValue(device)!.Trim().ToLowerInvariant(),
            };

            return Task.FromResult(Run(options, result.GetValue(mnistDirectory), result.GetValue(maxRows), result.GetValue(output)!, result.GetValue(logLevel),
                result.GetValue(gridScale), cancellationToken));
        });
        return command;
    }

    private static int Run(GanOptions options, DirectoryInfo? mnistDirectory, int? maxRows, DirectoryInfo output, LogLevel logLevel, int gridScale, CancellationToken cancellationToken)
    {
        // Every place this run writes is checked before any training starts.
        CommonOptions.EnsureWritableDirectory(output, "--output");
        CommonOptions.EnsureWritableDirectory(new DirectoryInfo(Path.Combine(output.FullName, "samples")), "--output");
        if (options.CheckpointDirectory is string checkpoints)
        {
            CommonOptions.EnsureWritableDirectory(new DirectoryInfo(checkpoints), "--checkpoint-dir");
        }

        if (options.TensorBoardDirectory is string tensorBoardDirectory)
        {
            CommonOptions.EnsureWritableDirectory(new DirectoryInfo(tensorBoardDirectory), "--tensorboard");
        }

        if (CommonOptions.CudaDeviceIndex(options.Device ?? "cpu").Index is int cudaDevice)
        {
            // Checked before MNIST is read: TorchSharp-cpu (what this app references) has no CUDA.
            int available = TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
            if (cudaDevice >= available)
            {
                throw new ArgumentException(available == 0
                    ? $"--device {options.Device}: TorchSharp finds no CUDA device. This app references TorchSharp-cpu; build it with TorchSharp-cuda-linux or TorchSharp-cuda-windows on a machine with an NVIDIA GPU (see README, GPUs)."
                    : $"--device {options.Device}: TorchSharp finds {available} CUDA device(s), numbered from 0.");
            }
        }

        bool interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        // A live progress bar and log lines would overwrite each other; interactive runs show the bar and warnings only.
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(interactive ? LogLevel.Warning : logLevel);
        ILogger logger = loggers.CreateLogger("train");
        var ml = new MLContext(seed: options.Seed);
        ml.Gan().Generator(options);   // checks every option before MNIST is read (or downloaded)
        IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger, maxRows));

        string samplesDirectory = Path.Combine(output.FullName, "samples");
        Directory.CreateDirectory(samplesDirectory);
        options.Logger = logger;
        // Progress (and a log line) every 50 steps, for the loss curve's windows; reading the losses changes nothing that is trained.
        options.LogEveryNSteps = StepLossWindow;
        var epochWriter = new EpochSampleWriter(samplesDirectory, gridScale, new Reporting.StepLosses(options.DiscriminatorStepsPerGeneratorStep));

        GanTransformer gan = interactive
            ? TrainWithProgressBar(ml, train, options, epochWriter, cancellationToken)
            : Train(ml, train, options, epochWriter, cancellationToken);
        using (gan)
        {
            string model = Path.Combine(output.FullName, "mnist-gan.zip");
            gan.Save(model);
            string losses = Path.Combine(output.FullName, "losses.csv");
            gan.History.SaveLossesCsv(losses);
            GanEpochSummary last = gan.History.Epochs[^1];
            Console.WriteLine($"Trained {gan.History.Epochs.Count} epochs (seed {gan.History.Seed}): d_loss {last.DiscriminatorLoss:F4}, g_loss {last.GeneratorLoss:F4}, " +
                              (last.Fid is double fid ? $"FID {fid:F2}, " : "") +
                              $"{gan.History.Epochs.Average(e => e.Duration.TotalSeconds):F1} s per epoch");
            Console.WriteLine($"Wrote {model}");
            Console.WriteLine($"Wrote {losses}");
            Console.WriteLine($"Wrote {gan.History.Epochs.Count} sample grids to {samplesDirectory}");
            foreach (string file in Reporting.TrainingReport.Write(output.FullName, gan.History, options, samplesDirectory, epochWriter.Losses))
            {
                Console.WriteLine($"Wrote {file}");
            }
        }

        return 0;
    }

    private static GanTransformer Train(MLContext ml, IDataView train, GanOptions options, EpochSampleWriter epochWriter, CancellationToken cancellationToken)
    {
        options.Progress = new SynchronousProgress<GanTrainingProgress>(epochWriter.Write);
        return ml.Gan().Generator(options).Fit(train, cancellationToken);
    }

    private static GanTransformer TrainWithProgressBar(MLContext ml, IDataView train, GanOptions options, EpochSampleWriter epochWriter, CancellationToken cancellationToken)
    {
        GanTransformer? gan = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("Reading MNIST", maxValue: 1);
                options.Progress = new SynchronousProgress<GanTrainingProgress>(report =>
                {
                    epochWriter.Write(report);
                    task.MaxValue = report.Epochs;
                    task.Value = report.Epoch - 1 + ((double)report.Step / report.StepsPerEpoch);
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"Epoch {report.Epoch}/{report.Epochs}  d_loss {report.DiscriminatorLoss:F3}  g_loss {report.GeneratorLoss:F3}{(report.Fid is double fid ? $"  FID {fid:F1}" : "")}");
                });
                gan = ml.Gan().Generator(options).Fit(train, cancellationToken);
            });
        return gan!;
    }

    /// <summary>Steps per window of the loss curve (<see cref="Reporting.StepLosses"/>), as TensorBoard's default.</summary>
    private const int StepLossWindow = 50;

    /// <summary>
    /// Writes the grid of an epoch's fixed-latent samples when the epoch closes, and records the loss windows. It keeps the
    /// PNGs of the epochs the history keeps grids of (<see cref="GanTrainingHistory.KeepsSamples"/>) and deletes the others
    /// as training goes, including those a resumed run's first part wrote, so the folder stays bounded in the epochs.
    /// </summary>
    private sealed class EpochSampleWriter(string directory, int scale, Reporting.StepLosses losses)
    {
        private readonly SortedSet<int> _written = [.. ExistingGrids(directory)];

        public Reporting.StepLosses Losses => losses;

        public void Write(GanTrainingProgress report)
        {
            losses.Add(report);
            if (report.Samples is { Count: > 0 } samples)
            {
                int side = (int)Math.Round(Math.Sqrt(samples[0].Length));
                using MLImage grid = GanImages.Grid(samples, side, side, columns: (int)Math.Ceiling(Math.Sqrt(samples.Count)), scale: scale);
                GanImages.SavePng(grid, GridPath(directory, report.Epoch));
                _written.Add(report.Epoch);
            }

            if (report.EpochCompleted)
            {
                foreach (int epoch in _written.Where(e => !GanTrainingHistory.KeepsSamples(e, report.Epoch)).ToArray())
                {
                    File.Delete(GridPath(directory, epoch));
                    _written.Remove(epoch);
                }
            }
        }

        private static string GridPath(string directory, int epoch) => Path.Combine(directory, $"epoch-{epoch:D3}.png");

        private static IEnumerable<int> ExistingGrids(string directory) => Directory.Exists(directory)
            ? Directory.GetFiles(directory, "epoch-*.png")
                .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)["epoch-".Length..], System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e : -1)
                .Where(e => e > 0)
            : [];
    }
}
