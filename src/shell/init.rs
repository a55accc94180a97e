//! `badge init` and `badge completions`: the shell code in `shell/*`,
//! rendered for one shell, one function name and the words the function
//! passes straight to the binary.
//!
//! The templates are real shell files. `{{cmd}}` is the function's name
//! (`--cmd`), `{{cmd_ident}}` the same made into an identifier,
//! `{{passthrough_bash}}`/`{{passthrough_fish}}` the first words that run
//! the binary untouched, `{{stamp_dir}}` the line that sets the folder of
//! the prompt's stamps, `{{dir_stamps}}` the one that sets the folder of
//! the directory hook's stamps, `{{quick}}` the program the functions run
//! for a switch, a Tab and the prompt's and the folder's questions, and
//! lines between `#@if prompt` and `#@end` are the prompt segment that
//! `--no-prompt` leaves out.

use anyhow::{Result, bail};

use crate::base::text::quoted;

use super::{Script, Shell, vars};

const INIT_BASH: &str = include_str!("../../shell/init.bash");
const INIT_ZSH: &str = include_str!("../../shell/init.zsh");
const INIT_FISH: &str = include_str!("../../shell/init.fish");
const COMPLETE_BASH: &str = include_str!("../../shell/complete.bash");
const COMPLETE_ZSH: &str = include_str!("../../shell/complete.zsh");
const COMPLETE_FISH: &str = include_str!("../../shell/complete.fish");

/// How `badge init` renders the integration.
#[derive(Debug, Clone)]
pub struct InitOptions<'a> {
    pub shell: Shell,
    /// Name of the shell function (`--cmd`).
    pub cmd: &'a str,
    /// Whether to add the prompt segment (`--no-prompt` turns it off).
    pub prompt: bool,
    /// First words for which the function runs the binary untouched:
    /// every subcommand that does not switch, help and version.
    pub passthrough: &'a [String],
    /// The folder of the prompt's stamps (see [`super::watch`]); `None`
    /// when there is none, and the prompt then follows this shell's own
    /// commands only.
    pub stamp_dir: Option<&'a str>,
    /// The folder of the directory hook's stamps, one a shell like the
    /// prompt's, touched when the hook asks badge about a `.aws-profile`:
    /// a file or folder newer than it has changed since. `None`: the hook
    /// asks only when the file it finds is another.
    pub dir_stamp_dir: Option<&'a str>,
    /// The program the functions run for a switch, a Tab and the prompt's
    /// and the folder's questions: [`QUICK`] or [`WHOLE`]. Every other
    /// command runs [`WHOLE`].
    pub quick: &'static str,
}

/// The whole badge binary, as the functions find it on PATH.
pub const WHOLE: &str = "badge";
/// The small binary beside it, which answers the functions' most frequent
/// questions itself and hands the rest to [`WHOLE`].
pub const QUICK: &str = "badge-quick";

/// The `--cmd` name becomes a function name and a completion target in three
/// shells; keep it to characters all of them take without quoting.
pub fn validate_cmd_name(name: &str) -> Result<()> {
    let valid_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let valid_rest = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_start || !valid_rest {
        bail!(
            "--cmd {} is not a usable function name: use letters, digits, `_` and `-`, \
             starting with a letter or `_` (for example `--cmd awsp`)",
            quoted(name)
        );
    }
    Ok(())
}

pub fn render_init(opts: &InitOptions<'_>) -> Result<String> {
    validate_cmd_name(opts.cmd)?;
    let template = match opts.shell {
        Shell::Bash => INIT_BASH,
        Shell::Zsh => INIT_ZSH,
        Shell::Fish => INIT_FISH,
    };
    let completion = render_completion(opts.shell, opts.cmd, opts.quick)?;
    let completion = completion.trim_end();
    let mut stamp_dir = Script::new(opts.shell);
    stamp_dir.set_global(vars::STAMP_DIR, opts.stamp_dir.unwrap_or(""));
    let stamp_dir = stamp_dir.finish();
    let mut dir_stamps = Script::new(opts.shell);
    dir_stamps.set_global(vars::DIR_STAMPS, opts.dir_stamp_dir.unwrap_or(""));
    let dir_stamps = dir_stamps.finish();
    Ok(render(
        template,
        opts.cmd,
        opts.quick,
        opts.prompt,
        opts.passthrough,
    )
    .replace("{{stamp_dir}}", stamp_dir.trim_end())
    .replace("{{dir_stamps}}", dir_stamps.trim_end())
    .replace("{{completion}}", completion))
}

/// The completion part, on its own as `badge completions` prints it (with
/// `quick` [`WHOLE`]) or for [`render_init`].
pub fn render_completion(shell: Shell, cmd: &str, quick: &str) -> Result<String> {
    validate_cmd_name(cmd)?;
    let template = match shell {
        Shell::Bash => COMPLETE_BASH,
        Shell::Zsh => COMPLETE_ZSH,
        Shell::Fish => COMPLETE_FISH,
    };
    Ok(render(template, cmd, quick, true, &[]))
}

fn render(template: &str, cmd: &str, quick: &str, prompt: bool, passthrough: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut keep = true;
    for line in template.split_inclusive('\n') {
        match line.trim_end() {
            "#@if prompt" => keep = prompt,
            "#@end" => keep = true,
            _ if keep => out.push_str(line),
            _ => {}
        }
    }
    out.replace("{{cmd}}", cmd)
        .replace("{{quick}}", quick)
        .replace("{{cmd_ident}}", &cmd.replace('-', "_"))
        .replace("{{passthrough_bash}}", &passthrough.join("|"))
        .replace("{{passthrough_fish}}", &passthrough.join(" "))
}

#[cfg(test)]
mod tests {
    use super::super::vars;
    use super::*;

    /// The README's prompt section quotes the segment each template puts
    /// in front of the prompt, character for character.
    #[test]
    fn the_readme_shows_the_prompt_segments_as_they_are() {
        let readme = include_str!("../../README.md");
        for (template, start, end) in [(INIT_BASH, "PS1='", "'\""), (INIT_ZSH, "PROMPT='", "'\"")] {
            let at = template.find(start).expect("the template sets the prompt") + start.len();
            let segment = &template[at..at + template[at..].find(end).unwrap()];
            assert!(
                readme.contains(&format!("`{segment}`")),
                "README.md does not show the prompt segment {segment:?}"
            );
        }
    }

    fn init(shell: Shell, prompt: bool) -> String {
        init_running(shell, prompt, WHOLE)
    }

    fn init_running(shell: Shell, prompt: bool, quick: &'static str) -> String {
        render_init(&InitOptions {
            shell,
            cmd: "badge",
            prompt,
            passthrough: &["ls".to_owned(), "--help".to_owned()],
            stamp_dir: Some("/home/u/.local/state/badge/prompt"),
            dir_stamp_dir: Some("/home/u/.local/state/badge/dir"),
            quick,
        })
        .unwrap()
    }

    /// badge-quick runs the switch, the Tab and the prompt's and the
    /// folder's questions; every other command, badge.
    #[test]
    fn quick_runs_the_functions_frequent_questions_only() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let code = init_running(shell, true, QUICK);
            assert!(!code.contains("{{"), "{shell:?}: a placeholder is left");
            let quick: Vec<&str> = code
                .lines()
                .filter(|l| l.contains("command badge-quick"))
                .collect();
            assert_eq!(quick.len(), 4, "{shell:?}: {quick:#?}");
            for what in ["__complete", "__prompt", "__dir", "__BADGE_STDOUT_TTY"] {
                assert!(
                    quick.iter().any(|l| l.contains(what)),
                    "{shell:?}: no {what} in {quick:#?}"
                );
            }
            let whole = code
                .lines()
                .filter(|l| l.contains(" command badge "))
                .count();
            assert_eq!(
                whole, 2,
                "{shell:?}: the passthrough and trust lines run badge"
            );
            assert_eq!(
                init_running(shell, true, WHOLE)
                    .matches("badge-quick")
                    .count(),
                0
            );
        }
    }

    #[test]
    fn rejects_cmd_names_that_need_quoting() {
        for bad in ["", "-x", "a b", "a;b", "a$b", "1x", "é"] {
            assert!(validate_cmd_name(bad).is_err(), "{bad:?}");
        }
        for good in ["badge", "awsp", "aws-p", "_b2"] {
            assert!(validate_cmd_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn prompt_block_follows_the_option() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let with = init(shell, true);
            let without = init(shell, false);
            assert!(with.contains("aws:"), "{shell:?}");
            assert!(!without.contains("aws:"), "{shell:?}");
            assert!(!with.contains("{{") && !with.contains("#@"), "{shell:?}");
        }
    }

    /// The templates spell out the names of `vars`; each must be the one
    /// the binary uses.
    #[test]
    fn templates_use_the_shared_variable_names() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let code = init(shell, true);
            let mut names = vec![
                vars::HOOK_SHELL,
                vars::HOOK_PREVIOUS,
                vars::INIT,
                vars::PREVIOUS,
                vars::EXPIRES_FOR,
                vars::EXPIRES,
                vars::MARK_WORD,
                vars::TOKEN_FILE,
                vars::STAMP_DIR,
                vars::PROMPT_SUBCOMMAND,
                vars::AWS_PROFILE,
                vars::STDOUT_TTY,
                vars::DIR_SUBCOMMAND,
                vars::DIR_FILE,
                vars::DIR_SEEN,
                vars::DIR_SEEN_ENV,
                vars::DIR_STAMPS,
                vars::DIR_PREV,
                vars::CMD,
            ];
            if shell == Shell::Fish {
                names.push(vars::EXPIRED);
            }
            for name in names {
                assert!(code.contains(name), "{shell:?} init lacks {name}");
            }
        }
    }
}
