namespace Microsoft.ML.Gan;

/// <summary>The two standard MNIST splits.</summary>
public enum MnistSplit
{
    /// <summary>60,000 training images (train-images-idx3-ubyte, train-labels-idx1-ubyte).</summary>
    Train,

    /// <summary>10,000 test images (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte).</summary>
    Test,
}
