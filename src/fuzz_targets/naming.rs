//! Target `naming`: templates and cleaned, unique profile names.

use std::collections::BTreeSet;

use super::*;
use crate::config::document::section_header;
use crate::sync::naming::{
    Collision, MAX_NAME_BYTES, Template, Vars, assign_names, clean_value, is_allowed, is_sdk_safe,
};

/// Target `naming`: templates parse or fail without panicking; cleaning and
/// rendering give SDK-safe, non-empty names that need no quoting in a
/// header; assigning names gives each assignment one name, unique, never a
/// taken one, whatever order the assignments come in.
pub fn naming(data: &[u8]) {
    let mut c = Choices::new(data);
    let template_text = if c.flag() {
        c.text(32)
    } else {
        c.pick(TEMPLATES).to_owned()
    };
    let values: Vec<String> = (0..c.below(12)).map(|_| c.text(16)).collect();
    let taken: BTreeSet<String> = (0..c.below(6))
        .map(|_| {
            if c.flag() {
                c.text(8)
            } else {
                c.pick(&["Prod/Admin", "Team-A/Admin", "Admin-111111111111", "x"])
                    .to_owned()
            }
        })
        .collect();
    let rotate = c.byte().into();
    naming_props(&template_text, &values, &taken, rotate);
}

/// [`naming`] on given input: `values` become account names, ids and roles
/// in turn.
pub fn naming_props(
    template_text: &str,
    values: &[String],
    taken: &BTreeSet<String>,
    rotate: usize,
) {
    for v in values {
        let clean = clean_value(v);
        assert!(clean.chars().all(is_allowed), "{v:?} cleaned to {clean:?}");
        assert_eq!(clean_value(&clean), clean, "cleaning {v:?} twice");
        if is_sdk_safe(v) {
            assert_eq!(&clean, v, "a safe value changed");
        }
    }
    let template = match Template::parse(template_text) {
        Ok(t) => t,
        Err(err) => {
            let text = err.to_string();
            assert!(text.starts_with("template "), "{text}");
            return;
        }
    };
    assert_eq!(template.to_string(), template_text);
    assert_eq!(
        Template::parse(&template.to_string()).ok(),
        Some(template.clone())
    );

    // Accounts with one name each; each account role once, as the portal
    // lists them.
    let value = |i: usize| values.get(i).map_or("", String::as_str);
    let mut list: Vec<(String, String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for i in 0..values.len() {
        let account = i % 3;
        let id = if value(i).len() % 4 == 0 {
            clean_value(value(i))
        } else {
            ACCOUNT_IDS[account].to_owned()
        };
        if id.is_empty() {
            continue;
        }
        let name = value(account * 2 + 1).to_owned();
        let role = value(i).to_owned();
        if seen.insert((id.clone(), role.clone())) {
            list.push((id, name, role));
        }
    }
    let vars: Vec<Vars> = list
        .iter()
        .map(|(id, name, role)| Vars {
            account_name: name,
            account_id: id,
            role_name: role,
            session: value(0),
            region: "eu-west-1",
        })
        .collect();
    for v in &vars {
        let name = template.render(v);
        assert!(is_sdk_safe(&name), "{v:?} rendered as {name:?}");
        assert_eq!(template.render(v), name, "rendering twice");
        assert_eq!(
            section_header("profile", &name),
            Some(format!("profile {name}")),
            "a generated name needs quoting"
        );
    }
    let is_taken = |name: &str| taken.contains(name);
    let (named, collisions) = assign_names(&template, &vars, &is_taken);
    assert_eq!(named.len(), vars.len());
    let mut unique = BTreeSet::new();
    for (i, n) in named.iter().enumerate() {
        assert_eq!(n.index, i);
        assert!(is_sdk_safe(&n.name), "{:?}", n.name);
        assert!(n.name.len() <= MAX_NAME_BYTES, "{} bytes", n.name.len());
        assert!(!taken.contains(&n.name), "{:?} is taken", n.name);
        assert!(unique.insert(n.name.clone()), "{:?} given twice", n.name);
    }
    // Names nobody else wanted and nobody has are kept as rendered.
    let wanted: Vec<String> = vars.iter().map(|v| template.render(v)).collect();
    for (i, n) in named.iter().enumerate() {
        let shared = wanted.iter().filter(|w| **w == wanted[i]).count() > 1;
        if !shared && !taken.contains(&wanted[i]) {
            assert_eq!(n.name, wanted[i]);
        }
    }
    for collision in &collisions {
        match collision {
            Collision::Shared { wanted: w, given } => {
                let members: Vec<&str> = (0..vars.len())
                    .filter(|&i| wanted[i] == *w)
                    .map(|i| named[i].name.as_str())
                    .collect();
                assert!(members.len() > 1);
                let mut given: Vec<&str> = given.iter().map(String::as_str).collect();
                let mut members = members;
                given.sort_unstable();
                members.sort_unstable();
                assert_eq!(given, members);
            }
            Collision::Taken { wanted: w, given } => {
                assert!(taken.contains(w));
                let i = wanted.iter().position(|x| x == w).expect("wanted");
                assert_eq!(&named[i].name, given);
            }
        }
    }
    // Any other order: the same name for the same assignment, the same
    // collisions in the same order.
    if !vars.is_empty() {
        let mut order: Vec<usize> = (0..vars.len()).collect();
        order.reverse();
        order.rotate_left(rotate % vars.len());
        let shuffled: Vec<Vars> = order.iter().map(|&i| vars[i]).collect();
        let (again, again_collisions) = assign_names(&template, &shuffled, &is_taken);
        for (j, &i) in order.iter().enumerate() {
            assert_eq!(again[j].name, named[i].name, "order changed a name");
        }
        assert_eq!(again_collisions, collisions);
    }
}
