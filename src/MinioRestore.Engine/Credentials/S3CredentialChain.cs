using System.Net;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Credentials;

/// <summary>
/// Finds the credential for the S3 side as AWS.Tools does; the first that applies wins:
/// <list type="number">
/// <item>-S3Credential (any PSCredential, e.g. from a SecretManagement vault);</item>
/// <item>-ProfileName / -ProfileLocation: that profile (-ProfileLocation alone: AWS_PROFILE, else default), or an error;</item>
/// <item>AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN if set (the restore plan's inputs);</item>
/// <item>the profile AWS_PROFILE names, or an error;</item>
/// <item>the default profile, if there is one.</item>
/// </list>
/// Otherwise an error that lists all of the above. Profiles give static keys only (see <see cref="FromProfile"/>).
/// </summary>
public static class S3CredentialChain
{
    public static ResolvedCredential Resolve(NetworkCredential? credential, string? profileName, string? profileLocation, CredentialEnvironment environment)
    {
        if (credential is not null) return ResolvedCredential.Parameter(credential, "-S3Credential");

        if (profileName is not null || profileLocation is not null)
        {
            if (profileLocation is not null && !File.Exists(profileLocation))
                throw new RestoreException(ErrorIds.ProfileNotFound, FailureKind.NotFound,
                    $"-ProfileLocation '{profileLocation}' does not exist. Give the path of an AWS shared credentials file (such as ~/.aws/credentials).");
            var (name, namedBy) = profileName is not null ? (profileName, "-ProfileName")
                : environment.Variable("AWS_PROFILE") is { } fromVariable ? (fromVariable, "AWS_PROFILE") : ("default", "the default profile");
            return FromProfile(AwsSharedFiles.Read(profileLocation, environment), name, namedBy);
        }

        string? accessKeyId = environment.Variable("AWS_ACCESS_KEY_ID"), secretKey = environment.Variable("AWS_SECRET_ACCESS_KEY");
        if (accessKeyId is not null && secretKey is not null)
        {
            string? token = environment.Variable("AWS_SESSION_TOKEN");
            return new ResolvedCredential(accessKeyId, secretKey, token, ResolvedCredential.FromEnvironment,
                token is null ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
        }
        if (accessKeyId is not null || secretKey is not null)
            throw new RestoreException(ErrorIds.MissingCredentials, FailureKind.InvalidArgument, accessKeyId is null
                ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither."
                : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither.");

        var files = AwsSharedFiles.Read(null, environment);
        if (environment.Variable("AWS_PROFILE") is { } profile) return FromProfile(files, profile, "AWS_PROFILE");
        if (files.Find("default") is not null) return FromProfile(files, "default", "the default profile");

        throw new RestoreException(ErrorIds.MissingCredentials, FailureKind.InvalidArgument,
            "No S3 credential found. Looked for: -S3Credential and -ProfileName (not given), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), " +
            $"AWS_PROFILE (not set), a [default] profile in {files.Describe()} (none). " +
            "Pass -S3Credential (user name = access key id, password = secret key) or -ProfileName, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
    }

    /// <summary>
    /// The S3 region: -S3Region, else the profile's region, else AWS_REGION, else AWS_DEFAULT_REGION,
    /// else us-east-1. A profile's region wins over the variables because the profile was chosen
    /// for this registration, the variables for the whole session.
    /// </summary>
    public static string Region(string? region, ResolvedCredential credential, CredentialEnvironment environment) =>
        (string.IsNullOrWhiteSpace(region) ? null : region) ?? credential.Region
        ?? environment.Variable("AWS_REGION") ?? environment.Variable("AWS_DEFAULT_REGION") ?? S3Endpoint.DefaultRegion;

    public const string AmazonS3 = "https://s3.amazonaws.com";

    /// <summary>
    /// The S3 endpoint and where it came from, found as the AWS SDKs find a configured endpoint:
    /// -S3Endpoint, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the profile's endpoint_url,
    /// else Amazon S3. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
    /// ignore_configured_endpoint_urls) leaves only -S3Endpoint and Amazon S3. (A profile's
    /// "services" section is not read.)
    /// </summary>
    public static (Uri Url, string Origin) Endpoint(string? endpoint, ResolvedCredential credential, CredentialEnvironment environment)
    {
        if (endpoint is not null) return (EndpointUrl.Parse(endpoint, "S3 endpoint"), "-S3Endpoint");
        if (!IsTrue(environment.Variable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
        {
            foreach (string variable in new[] { "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL" })
                if (environment.Variable(variable) is { } url) return (EndpointUrl.Parse(url, $"S3 endpoint ({variable})"), variable);
            if (credential.EndpointUrl is { } fromProfile)
                return (EndpointUrl.Parse(fromProfile, $"S3 endpoint (endpoint_url of the AWS {credential.Origin})"), $"endpoint_url of the AWS {credential.Origin}");
        }
        return (new Uri(AmazonS3), "the default, Amazon S3");
    }

    private static bool IsTrue(string? setting) => string.Equals(setting?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The keys written in a profile. Profiles that fetch keys (assume a role, sign in through IAM
    /// Identity Center, run credential_process) are refused: their keys expire, and an endpoint
    /// holds fixed keys for as long as a restore runs (renewing them would need AWSSDK's STS/SSO
    /// packages and refreshing credentials in every S3 client).
    /// </summary>
    private static ResolvedCredential FromProfile(AwsSharedFiles files, string name, string namedBy)
    {
        var profile = files.Find(name);
        if (profile is null)
        {
            var known = files.ProfileNames();
            throw new RestoreException(ErrorIds.ProfileNotFound, FailureKind.NotFound,
                $"No AWS profile '{name}' ({namedBy}) in {files.Describe()}. " +
                (known.Count > 0 ? $"Profiles there: {string.Join(", ", known)}. " : "They define no profiles. ") +
                "Check the name, or give the credentials file with -ProfileLocation.");
        }

        string? accessKeyId = profile["aws_access_key_id"], secretKey = profile["aws_secret_access_key"];
        string? unsupported =
            profile["role_arn"] is not null ? "assumes a role (role_arn)"
            : new[] { "sso_session", "sso_start_url", "sso_account_id", "sso_role_name" }.FirstOrDefault(k => profile[k] is not null) is { } sso
                ? $"signs in through IAM Identity Center ({sso})"
            : accessKeyId is null && secretKey is null && profile["credential_process"] is not null ? "runs a program for its keys (credential_process)"
            : null;
        if (unsupported is not null)
            throw new RestoreException(ErrorIds.UnsupportedCredentialProfile, FailureKind.NotSupported,
                $"The AWS {profile.Origin} {unsupported}; Register-RestoreClients takes only keys written in a profile " +
                "(aws_access_key_id, aws_secret_access_key, aws_session_token), as fetched keys would expire during a restore. " +
                "Put keys that outlast the restore into this session instead: " +
                $"aws configure export-credentials --profile {name} --format powershell | Invoke-Expression, " +
                "then run Register-RestoreClients without -ProfileName (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are used).");

        if (accessKeyId is null || secretKey is null)
            throw new RestoreException(ErrorIds.InvalidConfigFile, FailureKind.InvalidConfiguration,
                $"The AWS {profile.Origin} ({namedBy}) has " + (accessKeyId is null && secretKey is null
                    ? "no aws_access_key_id and aws_secret_access_key"
                    : accessKeyId is null ? "aws_secret_access_key but no aws_access_key_id" : "aws_access_key_id but no aws_secret_access_key")
                + ". Add them (aws configure --profile " + name + "), or choose another profile.");

        return new ResolvedCredential(accessKeyId, secretKey, profile["aws_session_token"],
            ResolvedCredential.ProfilePrefix + name, profile.Origin, profile["region"],
            IsTrue(profile["ignore_configured_endpoint_urls"]) ? null : profile["endpoint_url"]);
    }
}
