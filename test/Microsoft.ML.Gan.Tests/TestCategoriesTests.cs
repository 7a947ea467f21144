using System.Reflection;

namespace Microsoft.ML.Gan.Tests;

/// <summary>The split of the suite: a test without a category would silently fall out of both sets.</summary>
[Category(TestCategories.Fast)]
public sealed class TestCategoriesTests
{
    private static readonly string[] Known = [TestCategories.Fast, TestCategories.Slow];

    [Test]
    public void EveryTestIsInExactlyOneOfFastAndSlow()
    {
        var tests = (from type in typeof(TestCategoriesTests).Assembly.GetTypes()
                     where !type.IsAbstract
                     from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                     where method.IsDefined(typeof(TestAttribute)) || method.IsDefined(typeof(TestCaseAttribute))
                         || method.IsDefined(typeof(TestCaseSourceAttribute))
                     select (Name: $"{type.FullName}.{method.Name}", Categories: type.GetCustomAttributes<CategoryAttribute>(inherit: true)
                         .Concat(method.GetCustomAttributes<CategoryAttribute>()).Select(c => c.Name).Where(Known.Contains).Distinct().ToList())).ToList();

        Assert.That(tests, Has.Count.GreaterThan(100), "the reflection finds the suite's tests");
        Assert.That(tests.Where(t => t.Categories.Count != 1).Select(t => $"{t.Name}: [{string.Join(", ", t.Categories)}]"), Is.Empty,
            $"each test (through its fixture or itself) is in exactly one of [Category(TestCategories.{nameof(TestCategories.Fast)})] and [Category(TestCategories.{nameof(TestCategories.Slow)})]");
    }
}
