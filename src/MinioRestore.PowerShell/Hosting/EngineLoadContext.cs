using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// Loads MinioRestore.Engine and its dependencies (AWSSDK, ...) from the module's dependencies/
/// folder in their own AssemblyLoadContext, so the module works in a session where another
/// module (AWS.Tools, say) already loaded a different AWSSDK.Core. Only this small cmdlet
/// assembly lives in the default context; it reaches the engine through the resolver below.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private const string EngineAssemblyName = "MinioRestore.Engine";
    private static readonly string DependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "dependencies");
    private static readonly Lazy<EngineLoadContext> Instance = new(() => new EngineLoadContext());

    private EngineLoadContext() : base("MinioRestore.Engine") { }

    protected override Assembly? Load(AssemblyName name)
    {
        string path = Path.Combine(DependencyDirectory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null; // framework assemblies come from the default context
    }

    // A module initializer runs before PowerShell reflects over the cmdlets, so the engine resolves from the start.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterResolver() => Default.Resolving += (_, name) =>
        name.Name == EngineAssemblyName && File.Exists(Path.Combine(DependencyDirectory, EngineAssemblyName + ".dll"))
            ? Instance.Value.LoadFromAssemblyName(name)
            : null;
}
