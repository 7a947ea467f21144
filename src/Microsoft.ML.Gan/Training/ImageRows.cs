using System.Text.Json.Nodes;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>Images as GAN rows: flat pixels in [−1, 1], class indices when conditional, DiffAugment before the discriminator.</summary>
internal sealed class ImageRows(TrainingImages images) : GanRows
{
    public override string Kind => "Images";

    public override string Noun => "images";

    public override int Count => images.Count;

    public override TrainingImages Images => images;

    public override string Shape => images.Shape.ToString();

    public override string Fingerprint() => images.Fingerprint();

    public override JsonObject Describe(string fingerprint) => new()
    {
        ["Channels"] = images.Shape.Channels,
        ["Height"] = images.Shape.Height,
        ["Width"] = images.Shape.Width,
        ["Rows"] = images.Count,
        ["Classes"] = images.ClassCount,
        ["Fingerprint"] = fingerprint,
    };

    /// <summary>Every image once an epoch; the last batch may be short.</summary>
    public override int StepsPerEpoch(int batchSize) => (images.Count + batchSize - 1) / batchSize;

    public override GanBatches Upload(TrainingPlan plan, Device device) => new Batches(images, plan.Step.DiffAugment, device);

    private sealed class Batches : GanBatches
    {
        private readonly Tensor _pixels;
        private readonly Tensor? _classes;
        private readonly ImageShape _shape;
        private readonly int _classCount;
        private readonly DiffAugmentPolicy _augment;

        public Batches(TrainingImages images, DiffAugmentPolicy augment, Device device)
        {
            _pixels = ToDevice(torch.tensor(images.Values, [images.Count, images.Shape.Size]), device);
            _classes = images.Classes is null ? null : ToDevice(torch.tensor(images.Classes), device);
            _shape = images.Shape;
            _classCount = images.ClassCount;
            _augment = augment;
        }

        public override StepRows Draw(Tensor order, int step, int batchSize)
        {
            int count = (int)_pixels.shape[0];
            int start = step * batchSize;
            int size = Math.Min(batchSize, count - start);
            // The batch's rows are gathered per step: a copy of the whole shuffled set per epoch (188 MB for MNIST) cost time and memory.
            Tensor rows = order.narrow(0, start, size);
            return new StepRows(_pixels.index_select(0, rows), _classes?.index_select(0, rows), Conditions(size));
        }

        public override Tensor? Conditions(int size) => _classCount > 0 ? torch.randint(_classCount, [size], device: _pixels.device) : null;

        /// <summary>Classes uniformly, as generation asks for them.</summary>
        public override Tensor? StandingConditions(int size, torch.Generator random) =>
            _classCount > 0 ? torch.randint(_classCount, [size], generator: random, device: _pixels.device) : null;

        // DiffAugment (when on): the discriminator only ever sees augmented images, real and fake alike.
        public override (Tensor Input, Tensor? Classes) ForDiscriminator(Tensor rows, Tensor? conditions) => (DiffAugment.Apply(rows, _shape, _augment), conditions);

        public override void Dispose()
        {
            _pixels.Dispose();
            _classes?.Dispose();
        }

        private static Tensor ToDevice(Tensor tensor, Device device)
        {
            if (tensor.device == device)
            {
                return tensor;
            }

            using (tensor)
            {
                return tensor.to(device);
            }
        }
    }
}
