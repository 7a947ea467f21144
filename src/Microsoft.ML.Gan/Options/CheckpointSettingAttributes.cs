namespace Microsoft.ML.Gan;

// How a training plan's settings go into a checkpoint header (Training/CheckpointHeader.cs). They sit with the options so
// that plans in any folder (the networks', the loop's) can mark their settings.

/// <summary>A plan setting that a resumed run may change: the checkpoint records it apart, and a change is logged.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ResumeMayChangeAttribute : Attribute;

/// <summary>A plan setting of the run rather than of what it computes (where it writes, how often it reports): not in checkpoints.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotInCheckpointAttribute : Attribute;
