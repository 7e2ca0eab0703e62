namespace ChunkCompute.Dashboard;

/// <summary>The one page: served live (it then subscribes to <c>/events</c>), or with the data inline as the report.</summary>
internal static class DashboardPage
{
    private const string DataMarker = "/*CC-DATA*/null";
    private static readonly Lazy<string> s_template = new(Load);

    /// <summary>The live page: no data inline, it subscribes to the server's event stream.</summary>
    public static string Live { get; } = Render("null");

    /// <summary>The page with <paramref name="json"/> inline (the report): it draws that and fetches nothing.</summary>
    public static string Render(string json) => s_template.Value.Replace(DataMarker, json, StringComparison.Ordinal);

    private static string Load()
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("ChunkCompute.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is missing from the assembly");
        using var reader = new StreamReader(stream);
        string page = reader.ReadToEnd();
        return page.Contains(DataMarker, StringComparison.Ordinal) ? page : throw new InvalidOperationException("the dashboard page has no data marker");
    }
}
