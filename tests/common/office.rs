//! Real office tools for the Word tests: LibreOffice (headless), pandoc and python-docx.
//! `ensure()` runs scripts/office-tools.sh once per test process, which installs whatever
//! is missing; if a tool still cannot run, the test fails: it is never skipped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

static ENSURE: Once = Once::new();

/// Installs the office tools if they are missing (once per test process).
pub fn ensure() {
    ENSURE.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/office-tools.sh");
        let out = Command::new("bash")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// Runs `soffice --headless --convert-to TO FILE --outdir OUTDIR` with a profile of its
/// own under `work` (so tests running at once do not share a LibreOffice profile), and
/// returns the converted file's path. `to` is a LibreOffice filter spec such as `"docx"`,
/// `"txt:Text (encoded):UTF8"` or `"pdf"`.
pub fn soffice_convert(work: &Path, file: &Path, to: &str, outdir: &Path) -> PathBuf {
    ensure();
    std::fs::create_dir_all(outdir).expect("create outdir");
    let profile = work.join("lo-profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            to,
        ])
        .arg(file)
        .arg("--outdir")
        .arg(outdir)
        .env("HOME", work)
        .output()
        .expect("run soffice");
    assert!(
        out.status.success(),
        "soffice --convert-to {to} {} failed:\n{}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ext = to.split(':').next().unwrap_or(to);
    let stem = file
        .file_stem()
        .expect("file stem")
        .to_string_lossy()
        .to_string();
    let converted = outdir.join(format!("{stem}.{ext}"));
    assert!(
        converted.is_file(),
        "soffice did not write {}:\n{}",
        converted.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    converted
}

/// Runs `python3 -c SCRIPT ARGS…` (with python-docx available) and panics with its
/// output if it fails.
pub fn python(script: &str, args: &[&str]) {
    ensure();
    let out = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python3 failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs pandoc with these arguments and panics with its output if it fails.
pub fn pandoc(args: &[&str]) {
    ensure();
    let out = Command::new("pandoc")
        .args(args)
        .output()
        .expect("run pandoc");
    assert!(
        out.status.success(),
        "pandoc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Accepts (`accept`) or rejects every tracked change of `file` in LibreOffice, through
/// its UNO API (tests/office/lo_changes.py, run by Debian's /usr/bin/python3 with
/// python3-uno), and returns the document's text as LibreOffice saves it.
pub fn lo_changes(work: &Path, file: &Path, accept: bool) -> String {
    ensure();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/office/lo_changes.py");
    let action = if accept { "accept" } else { "reject" };
    let out_file = work.join(format!("lo-{action}.txt"));
    let profile = work.join(format!("lo-profile-{action}"));
    let out = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(action)
        .arg(file)
        .arg(&out_file)
        .arg(&profile)
        .env("HOME", work)
        .output()
        .expect("run /usr/bin/python3");
    assert!(
        out.status.success(),
        "{} {action} {} failed:\n{}\n{}",
        script.display(),
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&out_file).expect("the text LibreOffice saved")
}

/// Moves the passage `moved` of `file` after the passage `after` in LibreOffice with
/// track changes on (cut, then paste after a space), as `author`, through its UNO API
/// (tests/office/lo_move.py), and saves it as .docx at `out`.
pub fn lo_move(work: &Path, file: &Path, moved: &str, after: &str, author: &str, out: &Path) {
    ensure();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/office/lo_move.py");
    let profile = work.join("lo-profile-move");
    let run = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(file)
        .arg(out)
        .arg(&profile)
        .args([moved, after, author])
        .env("HOME", work)
        .output()
        .expect("run /usr/bin/python3");
    assert!(
        run.status.success() && out.is_file(),
        "{} {} failed:\n{}\n{}",
        script.display(),
        file.display(),
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}
