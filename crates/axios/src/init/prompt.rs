//! Asking for the values on a terminal (stderr), detected defaults pre-filled.

use dialoguer::{Input, MultiSelect, Select};

use super::values::{self, Answers, MODULES};
use super::{Defaults, Facts, Given, InitError};

fn ask(
    prompt: &str,
    initial: Option<&str>,
    check: impl Fn(&str) -> Result<(), String> + 'static,
) -> Result<String, InitError> {
    let mut input = Input::<String>::new()
        .with_prompt(prompt)
        .validate_with(move |s: &String| check(s.as_str()));
    if let Some(v) = initial {
        input = input.with_initial_text(v);
    }
    input
        .interact_text()
        .map_err(|e| InitError::Prompt(e.to_string()))
}

/// Ask for every value not given as a flag, then validate them all.
pub fn interactive(g: &Given, d: &Defaults, f: &Facts) -> Result<Answers, InitError> {
    let mut g = g.clone();
    if g.hostname.is_none() {
        g.hostname = Some(ask("Host name", d.hostname.as_deref(), |s| {
            values::hostname(s).map(|_| ()).map_err(|e| e.to_string())
        })?);
    }
    if g.user.is_none() {
        g.user = Some(ask("User (login name)", d.user.as_deref(), |s| {
            values::user(s).map(|_| ()).map_err(|e| e.to_string())
        })?);
    }
    if g.full_name.is_none() {
        g.full_name = Some(ask("Full name", g.user.as_deref(), |s| {
            values::text("full name", s)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })?);
    }
    if g.email.is_none() {
        let e = Input::<String>::new()
            .with_prompt("E-mail (may be empty)")
            .allow_empty(true)
            .validate_with(|s: &String| values::email(s).map(|_| ()).map_err(|e| e.to_string()))
            .interact_text()
            .map_err(|e| InitError::Prompt(e.to_string()))?;
        g.email = Some(e);
    }
    if g.timezone.is_none() {
        g.timezone = Some(ask("Time zone", d.timezone.as_deref(), |s| {
            values::timezone(s).map(|_| ()).map_err(|e| e.to_string())
        })?);
    }
    if g.locale.is_none() {
        g.locale = Some(ask("Locale", Some(&d.locale), |s| {
            values::locale(s).map(|_| ()).map_err(|e| e.to_string())
        })?);
    }
    if g.form_factor.is_none() {
        let items = ["desktop", "laptop", "server"];
        let at = items.iter().position(|i| *i == d.form_factor).unwrap_or(0);
        let i = Select::new()
            .with_prompt("Form factor")
            .items(&items)
            .default(at)
            .interact()
            .map_err(|e| InitError::Prompt(e.to_string()))?;
        g.form_factor = Some(items[i].to_string());
    }
    if g.modules.is_none() {
        let ff = g.form_factor.as_deref().unwrap_or(&d.form_factor);
        let suggested = values::default_modules(ff, f.gpu.is_some());
        let items: Vec<String> = MODULES.iter().map(|(n, w)| format!("{n}: {w}")).collect();
        let checked: Vec<bool> = MODULES
            .iter()
            .map(|(n, _)| suggested.iter().any(|s| s == n))
            .collect();
        loop {
            let picked = MultiSelect::new()
                .with_prompt("Modules (space toggles, enter accepts)")
                .items(&items)
                .defaults(&checked)
                .interact()
                .map_err(|e| InitError::Prompt(e.to_string()))?;
            let names: Vec<&str> = picked.iter().map(|i| MODULES[*i].0).collect();
            match values::modules(&names, f.gpu.is_some()) {
                Ok(_) => {
                    g.modules = Some(names.iter().map(|s| (*s).to_string()).collect());
                    break;
                }
                Err(e) => eprintln!("{e}"),
            }
        }
    }
    Ok(super::resolve(&g, d, f)?)
}
