namespace MinioRestore.Tests.Support;

/// <summary>A temporary folder for files a test writes (credential files, mc configurations), deleted with everything in it.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("minio-restore-test-").FullName;

    /// <summary>Writes a file below the folder, creating its folders, and returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        string file = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
