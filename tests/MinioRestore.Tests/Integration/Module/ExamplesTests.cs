using System.Management.Automation;
using System.Management.Automation.Language;
using YamlDotNet.RepresentationModel;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Module;

/// <summary>
/// examples/: the runbook parses, documents every parameter and calls only parameters the module
/// has; the Kubernetes Job runs it with every secret taken from a Secret, and the Secret template
/// holds placeholders only.
/// </summary>
public sealed class ExamplesTests : IDisposable
{
    private static readonly string Runbook = Path.Combine(Repo.Root, "examples", "Restore-Service.ps1");
    private static readonly string Kubernetes = Path.Combine(Repo.Root, "examples", "kubernetes");
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    private static ScriptBlockAst Parse(string path)
    {
        var ast = Parser.ParseFile(path, out _, out var errors);
        Assert.True(errors.Length == 0, string.Join('\n', errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
        return ast;
    }

    private static string[] RunbookParameters() => Parse(Runbook).ParamBlock.Parameters.Select(p => p.Name.VariablePath.UserPath).ToArray();

    [Theory]
    [InlineData("examples/Restore-Service.ps1")]
    [InlineData("build.ps1")]
    public void The_script_parses(string script) => Parse(Path.Combine(Repo.Root, script));

    [Fact]
    public void The_runbook_documents_itself_and_every_parameter()
    {
        var help = Parse(Runbook).GetHelpContent();

        Assert.False(string.IsNullOrWhiteSpace(help.Synopsis));
        Assert.Contains("exit", help.Description, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(help.Examples);
        var parameters = RunbookParameters();
        Assert.Contains("ServiceName", parameters);
        Assert.Equal(parameters.Select(p => p.ToUpperInvariant()).Order(), help.Parameters.Keys.Order());
        Assert.All(help.Parameters.Values, description => Assert.False(string.IsNullOrWhiteSpace(description)));
    }

    [Fact]
    public void The_runbook_passes_only_parameters_the_module_cmdlets_have()
    {
        var ast = Parse(Runbook);
        var commands = _ps.Run("Get-Command -Module MinioRestore").Output.Select(o => (CommandInfo)o.BaseObject).ToDictionary(c => c.Name);
        var calls = ast.FindAll(a => a is CommandAst c && commands.ContainsKey(c.GetCommandName() ?? ""), true).Cast<CommandAst>().ToList();
        Assert.Equal(["Register-RestoreClients", "Start-MinioRestore", "Test-MinioRestore"], calls.Select(c => c.GetCommandName()).Distinct().Order());

        foreach (var call in calls)
        {
            var command = commands[call.GetCommandName()];
            var known = command.Parameters.Values.SelectMany(p => p.Aliases.Append(p.Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var passed = call.CommandElements.OfType<CommandParameterAst>().Select(p => p.ParameterName)
                .Concat(call.CommandElements.OfType<VariableExpressionAst>().Where(v => v.Splatted).SelectMany(v => SplattedKeys(ast, v.VariablePath.UserPath)));
            Assert.All(passed, name => Assert.True(known.Contains(name), $"{command.Name} has no parameter -{name}"));
        }
    }

    /// <summary>The keys a splatted hashtable gets: <c>$x = @{ Key = ... }</c> and <c>$x.Key = ...</c>.</summary>
    private static IEnumerable<string> SplattedKeys(Ast script, string variable) =>
        script.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>().SelectMany(assignment => assignment.Left switch
        {
            VariableExpressionAst v when v.VariablePath.UserPath == variable && assignment.Right is CommandExpressionAst { Expression: HashtableAst table } =>
                table.KeyValuePairs.Select(pair => ((StringConstantExpressionAst)pair.Item1).Value),
            MemberExpressionAst { Expression: VariableExpressionAst v, Member: StringConstantExpressionAst member } when v.VariablePath.UserPath == variable =>
                [member.Value],
            _ => [],
        });

    private static List<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Kubernetes, file))) stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlNode? Get(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node!)) return null;
        }
        return node;
    }

    private static string? Text(YamlNode node, params string[] path) => (Get(node, path) as YamlScalarNode)?.Value;

    [Fact]
    public void The_Job_runs_the_runbook_and_takes_every_secret_from_a_Secret()
    {
        var job = Assert.Single(Documents("restore-job.yaml"));
        var secrets = Documents("restore-secrets.example.yaml");
        var secretKeys = secrets.SelectMany(s => ((YamlMappingNode)Get(s, "stringData")!).Children.Keys
            .Select(k => (Text(s, "metadata", "name"), ((YamlScalarNode)k).Value))).ToHashSet();

        Assert.Equal("batch/v1", Text(job, "apiVersion"));
        Assert.Equal("Job", Text(job, "kind"));
        Assert.InRange(int.Parse(Text(job, "spec", "backoffLimit")!), 0, 6);
        var pod = Get(job, "spec", "template", "spec")!;
        Assert.Contains(Text(pod, "restartPolicy"), new[] { "Never", "OnFailure" });
        var container = Assert.Single(((YamlSequenceNode)Get(pod, "containers")!).Children);
        Assert.StartsWith("mcr.microsoft.com/powershell:", Text(container, "image"));

        var env = ((YamlSequenceNode)Get(container, "env")!).Children.ToDictionary(e => Text(e, "name")!);
        foreach (var name in env.Keys.Where(n => n is "AWS_ACCESS_KEY_ID" or "AWS_SECRET_ACCESS_KEY" || n.StartsWith("MC_HOST_", StringComparison.Ordinal)))
        {
            Assert.Null(Get(env[name], "value"));
            var reference = (Text(env[name], "valueFrom", "secretKeyRef", "name"), Text(env[name], "valueFrom", "secretKeyRef", "key"));
            Assert.True(secretKeys.Contains(reference), $"{name} does not come from a key of the Secret template");
        }
        Assert.Contains("AWS_SECRET_ACCESS_KEY", env.Keys);
        Assert.Contains(env.Keys, n => n.StartsWith("MC_HOST_", StringComparison.Ordinal));
        Assert.All(env.Values.Select(e => Text(e, "value")).OfType<string>(), value => Assert.DoesNotContain("@", value));

        // The container's script parses, and runs the mounted runbook with parameters it has.
        string script = Assert.Single(((YamlSequenceNode)Get(container, "args")!).Children.Cast<YamlScalarNode>()).Value!;
        var ast = Parser.ParseInput(script, out _, out var errors);
        Assert.Empty(errors);
        var call = Assert.Single(ast.FindAll(a => a is CommandAst c && c.GetCommandName() == "/runbook/Restore-Service.ps1", true).Cast<CommandAst>());
        Assert.All(call.CommandElements.OfType<CommandParameterAst>(), p => Assert.Contains(p.ParameterName, RunbookParameters()));
        Assert.Contains(call.CommandElements.OfType<CommandParameterAst>(), p => p.ParameterName == "ServiceName");
        var mount = Assert.Single(((YamlSequenceNode)Get(container, "volumeMounts")!).Children, m => Text(m, "mountPath") == "/runbook");
        var volume = Assert.Single(((YamlSequenceNode)Get(pod, "volumes")!).Children, v => Text(v, "name") == Text(mount, "name"));
        Assert.NotNull(Text(volume, "configMap", "name"));
    }

    [Fact]
    public void The_Indexed_Job_runs_one_shard_per_index_with_its_checkpoints_on_a_volume_and_its_keys_from_Secrets()
    {
        // Read with the Kubernetes API's own typed models, as kubectl would take the manifest.
        var documents = File.ReadAllText(Path.Combine(Kubernetes, "restore-indexed-job.yaml")).Split("\n---\n");
        Assert.Equal(2, documents.Length);
        var claim = k8s.KubernetesYaml.Deserialize<k8s.Models.V1PersistentVolumeClaim>(documents[0]);
        var job = k8s.KubernetesYaml.Deserialize<k8s.Models.V1Job>(documents[1]);
        Assert.Equal("PersistentVolumeClaim", claim.Kind);
        Assert.Contains("ReadWriteMany", claim.Spec.AccessModes); // every pod mounts it at once
        Assert.Equal("Job", job.Kind);
        Assert.Equal("batch/v1", job.ApiVersion);

        Assert.Equal("Indexed", job.Spec.CompletionMode);
        Assert.NotNull(job.Spec.Completions);
        Assert.Equal(job.Spec.Completions, job.Spec.Parallelism);
        Assert.InRange(job.Spec.BackoffLimitPerIndex ?? 0, 1, 10);
        var pod = job.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy); // backoffLimitPerIndex needs it
        var container = Assert.Single(pod.Containers);
        var env = container.Env.ToDictionary(e => e.Name);

        // The index and the count reach the runbook: the count is the Job's completions.
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", env["JOB_COMPLETION_INDEX"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal(job.Spec.Completions, int.Parse(env["SHARD_COUNT"].Value));
        var runbookReads = Parse(Runbook).FindAll(a => a is VariableExpressionAst v && v.VariablePath.IsDriveQualified && v.VariablePath.DriveName == "env", true)
            .Cast<VariableExpressionAst>().Select(v => v.VariablePath.UserPath[4..]).ToHashSet();
        Assert.Contains("JOB_COMPLETION_INDEX", runbookReads);
        Assert.Contains("SHARD_COUNT", runbookReads);
        Assert.Contains("RESTORE_CHECKPOINT_PATH", runbookReads);

        // Checkpoints: a folder per index on the claim, so a rescheduled pod finds its own.
        var checkpoints = Assert.Single(container.VolumeMounts, m => m.MountPath == env["RESTORE_CHECKPOINT_PATH"].Value);
        Assert.Contains("$(JOB_COMPLETION_INDEX)", checkpoints.SubPathExpr);
        Assert.False(checkpoints.ReadOnlyProperty ?? false);
        var state = Assert.Single(pod.Volumes, v => v.Name == checkpoints.Name);
        Assert.Equal(claim.Metadata.Name, state.PersistentVolumeClaim.ClaimName);
        // Reports: every shard's in one folder of the same claim, for Merge-RestoreResult.
        var results = Assert.Single(container.VolumeMounts, m => m.MountPath == "/results");
        Assert.Equal(checkpoints.Name, results.Name);
        Assert.Null(results.SubPathExpr);

        // Keys only from the Secrets of the template, never as values.
        var secrets = Documents("restore-secrets.example.yaml");
        var secretKeys = secrets.SelectMany(s => ((YamlMappingNode)Get(s, "stringData")!).Children.Keys
            .Select(k => (Text(s, "metadata", "name"), ((YamlScalarNode)k).Value))).ToHashSet();
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MC_HOST_minio" })
        {
            Assert.Null(env[name].Value);
            Assert.Contains((env[name].ValueFrom.SecretKeyRef.Name, env[name].ValueFrom.SecretKeyRef.Key), secretKeys);
        }

        // The container's script runs the runbook, writing its report to the shared results folder.
        var ast = Parser.ParseInput(Assert.Single(container.Args), out _, out var errors);
        Assert.Empty(errors);
        var call = Assert.Single(ast.FindAll(a => a is CommandAst c && c.GetCommandName() == "/runbook/Restore-Service.ps1", true).Cast<CommandAst>());
        Assert.All(call.CommandElements.OfType<CommandParameterAst>(), p => Assert.Contains(p.ParameterName, RunbookParameters()));
        int output = call.CommandElements.ToList().FindIndex(e => e is CommandParameterAst { ParameterName: "OutputDirectory" });
        Assert.Equal("/results", ((StringConstantExpressionAst)call.CommandElements[output + 1]).Value);
    }

    [Fact]
    public void The_Secret_template_holds_placeholders_only()
    {
        var secrets = Documents("restore-secrets.example.yaml");

        Assert.Equal(2, secrets.Count);
        foreach (var secret in secrets)
        {
            Assert.Equal("Secret", Text(secret, "kind"));
            Assert.Null(Get(secret, "data")); // base64 could hide a real key from a reviewer
            var values = ((YamlMappingNode)Get(secret, "stringData")!).Children.Values.Cast<YamlScalarNode>().Select(v => v.Value!).ToList();
            Assert.NotEmpty(values);
            Assert.All(values, value => Assert.Matches("<[a-z0-9-]+>", value));
            Assert.All(values, value => Assert.DoesNotMatch(@"(?<![<\w-])[A-Za-z0-9/+]{16,}", value));
        }
    }
}
