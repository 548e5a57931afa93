//! Page-level steps the browser tests share: navigate by a click and wait for the new
//! document, sign in (choosing a password on first sign-in), read an element's text, sign
//! out, find a queue row, fill a field, count and read the elements a selector matches, read
//! an attribute, choose in a select.

use fantoccini::{Client, Locator};

/// Clicks `css` and waits until the next page has loaded (a fresh document).
pub async fn click_nav(c: &Client, css: &str) {
    c.execute("window.__wcp_old_page = true", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        let v = c
            .execute(
                "return window.__wcp_old_page === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await;
        if matches!(v, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no page after clicking {css}");
}

pub async fn sign_in(c: &Client, base: &str, user: &str, password: &str) -> String {
    c.goto(&format!("{base}/signin")).await.unwrap();
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    click_nav(c, "#signin button").await;
    let mut url = c.current_url().await.unwrap();
    if url.path() == "/password" {
        let new = format!("{user}-chosen-password-1");
        c.find(Locator::Css("#password input[name=password]"))
            .await
            .unwrap()
            .send_keys(&new)
            .await
            .unwrap();
        click_nav(c, "#password button").await;
        url = c.current_url().await.unwrap();
    }
    assert_ne!(url.path(), "/signin", "{user} could not sign in");
    c.get_named_cookie("wcp_session")
        .await
        .unwrap()
        .value()
        .to_string()
}

pub async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub async fn sign_out(c: &Client) {
    let Ok(button) = c.find(Locator::Css("#signout")).await else {
        panic!(
            "no sign-out button on {}: {}",
            c.current_url().await.unwrap(),
            c.source().await.unwrap()
        );
    };
    drop(button);
    click_nav(c, "#signout").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/signin");
}

/// The URL of the first queue row of `category` (newest first).
pub async fn alert_url(c: &Client, base: &str, category: &str) -> String {
    c.goto(&format!("{base}/queue?status=all&category={category}"))
        .await
        .unwrap();
    let a = c
        .find(Locator::Css("#queue tbody tr a.open"))
        .await
        .unwrap();
    format!("{base}{}", a.attr("href").await.unwrap().unwrap())
}

/// Types `value` into the field `css`.
pub async fn fill(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(value)
        .await
        .unwrap();
}

/// How many elements match `css`.
pub async fn count(c: &Client, css: &str) -> u64 {
    c.execute(
        "return document.querySelectorAll(arguments[0]).length",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap()
    .as_u64()
    .unwrap()
}

/// The text of every element matching `css`.
pub async fn texts(c: &Client, css: &str) -> Vec<String> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent)",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// The attribute `name` of the first element matching `css` (which must have it).
pub async fn attr(c: &Client, css: &str, name: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .attr(name)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{css} has no {name}"))
}

/// Chooses `value` in the select `css`.
pub async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// Opens `path` of the console at `base`.
pub async fn open(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
}
