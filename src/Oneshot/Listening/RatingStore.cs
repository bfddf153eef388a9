using Microsoft.Data.Sqlite;

namespace Oneshot.Listening;

public enum RatingOutcome { Stored, AlreadyRated, UnknownStimulus, UnknownRater, InvalidScore, NotPlayed, NotServed }

public sealed record Rating(long RaterId, string Stimulus, int Score, DateTimeOffset Created);

/// <summary>A rater's answer to one A/B trial: which side ("a" or "b") they preferred.</summary>
public sealed record Choice(long RaterId, string Trial, string Side, DateTimeOffset Created);

public sealed record Rater(long Id, string? Token, DateTimeOffset Created);

/// <summary>
/// Ratings in SQLite (ratings.db): one row per rater and stimulus, enforced by the schema, written in
/// WAL mode with a busy timeout so concurrent raters wait for each other instead of failing. Each
/// call opens its own connection: the web server calls this from many threads at once.
/// </summary>
public sealed class RatingStore
{
    readonly string _connectionString;
    readonly HashSet<string> _stimuli;

    public RatingStore(string path, IEnumerable<string> stimulusIds)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 30, Pooling = true }.ToString();
        _stimuli = stimulusIds.ToHashSet();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS raters (
                id INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT UNIQUE, created TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS ratings (
                rater INTEGER NOT NULL REFERENCES raters(id), stimulus TEXT NOT NULL,
                score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5), created TEXT NOT NULL,
                PRIMARY KEY (rater, stimulus));
            CREATE TABLE IF NOT EXISTS served (
                rater INTEGER NOT NULL REFERENCES raters(id), stimulus TEXT NOT NULL,
                PRIMARY KEY (rater, stimulus));
            CREATE TABLE IF NOT EXISTS choices (
                rater INTEGER NOT NULL REFERENCES raters(id), trial TEXT NOT NULL,
                side TEXT NOT NULL CHECK (side IN ('a', 'b')), created TEXT NOT NULL,
                PRIMARY KEY (rater, trial));
            """);
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000;");
        return connection;
    }

    static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A new rater; with a token, the rater is the one holding that access token (LAN studies).</summary>
    public Rater CreateRater(string? token = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO raters (token, created) VALUES ($token, $created) RETURNING id, created;";
        command.Parameters.AddWithValue("$token", (object?)token ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToString("O"));
        using var reader = command.ExecuteReader();
        reader.Read();
        return new Rater(reader.GetInt64(0), token, DateTimeOffset.Parse(reader.GetString(1)));
    }

    public Rater? FindRater(long id) => QueryRater("id = $value", id);
    public Rater? FindRaterByToken(string token) => QueryRater("token = $value", token);

    Rater? QueryRater(string condition, object value)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, token, created FROM raters WHERE {condition};";
        command.Parameters.AddWithValue("$value", value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Rater(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
            DateTimeOffset.Parse(reader.GetString(2))) : null;
    }

    /// <summary>Records that the server sent this stimulus's audio to this rater: only then can the rater rate
    /// it.</summary>
    public void MarkServed(long raterId, string stimulus)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO served (rater, stimulus) VALUES ($rater, $stimulus) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$rater", raterId);
        command.Parameters.AddWithValue("$stimulus", stimulus);
        command.ExecuteNonQuery();
    }

    bool WasServed(SqliteConnection connection, long raterId, string stimulus)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM served WHERE rater = $rater AND stimulus = $stimulus;";
        command.Parameters.AddWithValue("$rater", raterId);
        command.Parameters.AddWithValue("$stimulus", stimulus);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Stores a rating once; a second rating of the same stimulus by the same rater is refused, never
    /// overwritten, and so is a rating of audio the server never sent that rater ("played" is the
    /// page's word; the server knows what it served).
    /// </summary>
    public RatingOutcome Rate(long raterId, string stimulus, int score, bool played)
    {
        if (!_stimuli.Contains(stimulus)) return RatingOutcome.UnknownStimulus;
        if (score is < 1 or > 5) return RatingOutcome.InvalidScore;
        if (!played) return RatingOutcome.NotPlayed;
        if (FindRater(raterId) is null) return RatingOutcome.UnknownRater;
        using var connection = Open();
        if (!WasServed(connection, raterId, stimulus)) return RatingOutcome.NotServed;
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO ratings (rater, stimulus, score, created) VALUES ($rater, $stimulus, " +
            "$score, $created) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$rater", raterId);
        command.Parameters.AddWithValue("$stimulus", stimulus);
        command.Parameters.AddWithValue("$score", score);
        command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToString("O"));
        return command.ExecuteNonQuery() == 1 ? RatingOutcome.Stored : RatingOutcome.AlreadyRated;
    }

    /// <summary>
    /// Stores a preference once, as <see cref="Rate"/> stores a rating: refused for an unknown trial or
    /// side, before every sound of the trial was sent to the rater, or a second time.
    /// </summary>
    public RatingOutcome Choose(long raterId, PreferenceTrial? trial, string side, bool played)
    {
        if (trial is null) return RatingOutcome.UnknownStimulus;
        if (side is not ("a" or "b")) return RatingOutcome.InvalidScore;
        if (!played) return RatingOutcome.NotPlayed;
        if (FindRater(raterId) is null) return RatingOutcome.UnknownRater;
        using var connection = Open();
        if (ListeningStudy.StimuliOf(trial).Any(s => !WasServed(connection, raterId, s)))
            return RatingOutcome.NotServed;
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO choices (rater, trial, side, created) VALUES ($rater, $trial, $side, " +
            "$created) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$rater", raterId);
        command.Parameters.AddWithValue("$trial", trial.Id);
        command.Parameters.AddWithValue("$side", side);
        command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToString("O"));
        return command.ExecuteNonQuery() == 1 ? RatingOutcome.Stored : RatingOutcome.AlreadyRated;
    }

    public IReadOnlyList<Choice> ChoicesBy(long raterId) =>
        Query("SELECT rater, trial, side, created FROM choices", raterId, ReadChoice);

    public IReadOnlyList<Choice> AllChoices() =>
        Query("SELECT rater, trial, side, created FROM choices", null, ReadChoice);

    public IReadOnlyList<Rating> RatingsBy(long raterId) =>
        Query("SELECT rater, stimulus, score, created FROM ratings", raterId, ReadRating);

    public IReadOnlyList<Rating> All() =>
        Query("SELECT rater, stimulus, score, created FROM ratings", null, ReadRating);

    static Choice ReadChoice(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), DateTimeOffset.Parse(r.GetString(3)));

    static Rating ReadRating(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetInt32(2), DateTimeOffset.Parse(r.GetString(3)));

    /// <summary>Every row of <paramref name="select"/> (one rater's when given), oldest first per rater.</summary>
    IReadOnlyList<T> Query<T>(string select, long? raterId, Func<SqliteDataReader, T> read)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"{select} {(raterId is null ? "" : "WHERE rater = $rater")} ORDER BY rater, created;";
        if (raterId is long id) command.Parameters.AddWithValue("$rater", id);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }
}
