//! "Did you mean ...?" for misspelt names.
//!
//! In: a word and the names it could have meant. Out: the nearest name when it is close enough
//! (by optimal-string-alignment distance, so a swap of two letters counts as one edit), or a
//! ready-made message suffix.

/// The candidate nearest to `word`, if it is plausibly a misspelling of it.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = if c.eq_ignore_ascii_case(word) {
            0
        } else {
            strsim::osa_distance(word, c)
        };
        let longest = word.chars().count().max(c.chars().count());
        let limit = (longest / 3).max(1);
        if d <= limit && d < longest && !matches!(best, Some((bd, _)) if bd <= d) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean 'x'?"`, or `""` when nothing is close.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(word, candidates).map_or_else(String::new, |c| format!("; did you mean '{c}'?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_near_names() {
        assert_eq!(nearest("sede", ["seed", "output_dir"]), Some("seed"));
        assert_eq!(nearest("node", ["build", "nodes", "edges"]), Some("nodes"));
        assert_eq!(
            nearest("probabilty", ["count", "probability"]),
            Some("probability")
        );
        assert_eq!(nearest("n", ["N"]), Some("N"));
        assert_eq!(nearest("zzzzzz", ["seed", "output_dir"]), None);
        assert_eq!(nearest("q", ["x", "y"]), None);
        assert_eq!(nearest("yy", ["x", "y"]), Some("y"));
        assert_eq!(did_you_mean("sede", ["seed"]), "; did you mean 'seed'?");
        assert_eq!(did_you_mean("abc", ["seed"]), "");
    }
}
