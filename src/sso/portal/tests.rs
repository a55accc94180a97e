use super::*;

#[test]
fn retry_after_in_seconds_or_as_a_date() {
    let now = parse_time("1994-11-06T08:49:30Z").unwrap();
    assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after(" 1.5 ", now),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("-1", now), None);
    assert_eq!(parse_retry_after("soon", now), None);
}

#[test]
fn backoff_honours_retry_after_else_grows_with_full_jitter() {
    let options = PortalOptions::default();
    assert_eq!(backoff(&options, 1, None, 0.0), Duration::ZERO);
    assert_eq!(backoff(&options, 1, None, 0.5), Duration::from_millis(100));
    assert_eq!(backoff(&options, 3, None, 0.5), Duration::from_millis(400));
    assert_eq!(backoff(&options, 30, None, 1.0), options.max_delay);
    let after = Some(Duration::from_secs(1));
    assert_eq!(backoff(&options, 1, after, 0.0), Duration::from_secs(1));
    assert_eq!(
        backoff(&options, 7, after, 0.5),
        Duration::from_millis(1100)
    );
    let huge = Some(Duration::from_secs(3600));
    assert_eq!(backoff(&options, 1, huge, 0.0), options.max_retry_after);
    for _ in 0..100 {
        let f = random_fraction();
        assert!((0.0..1.0).contains(&f));
    }
}

#[test]
fn a_rate_the_user_set_paces_from_the_start() {
    let with = |rate| PortalOptions::new(rate, Network::default());
    assert_eq!(with(None).rate, Some(19.0));
    assert!(!with(None).pace_from_start);
    assert!(with(Some(Some(5.5))).pace_from_start);
    assert_eq!(with(Some(Some(5.5))).rate, Some(5.5));
    assert_eq!(with(Some(None)).rate, None);
}

#[test]
fn the_pacer_waits_for_nothing_until_engaged() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pacer = Pacer::new(50.0, 1, false);
        let started = Instant::now();
        for _ in 0..20 {
            pacer.wait().await;
        }
        assert!(started.elapsed() < Duration::from_millis(15));
        pacer.engage();
        for _ in 0..6 {
            pacer.wait().await;
        }
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(95), "{elapsed:?}");
    });
}

#[test]
fn the_pacer_spaces_requests_after_a_burst() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pacer = Pacer::new(50.0, 5, true);
        let started = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        assert!(started.elapsed() < Duration::from_millis(15));
        for _ in 0..10 {
            pacer.wait().await;
        }
        // Ten more at 20 ms apart.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(195), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(400), "{elapsed:?}");
    });
}

#[test]
fn ids_and_names_are_checked_before_a_config_holds_them() {
    assert!(is_account_id("012345678901"));
    for bad in [
        "",
        "12345678901",
        "1234567890123",
        "12345678901x",
        " 12345678901",
        "12345678901\n",
        "1234567890\u{663}1",
        "１２３４５６７８９０１２",
    ] {
        assert!(!is_account_id(bad), "{bad:?}");
        assert_eq!(
            account_problem(bad, "Prod"),
            Some("its id is not 12 digits"),
            "{bad:?}"
        );
    }
    assert_eq!(account_problem("111111111111", "Prod EU (main) é"), None);
    assert_eq!(account_problem("111111111111", "  odd spacing "), None);
    for bad in ["a\nb", "a\tb", "a\x1b[31m", "a\x7f", "a\u{85}", "a\u{9b}"] {
        assert_eq!(
            account_problem("111111111111", bad),
            Some("its name has control characters"),
            "{bad:?}"
        );
    }
    for good in ["AdministratorAccess", "Ops+Admin@eu,v=2.0-x_y", "Read Only"] {
        assert_eq!(role_problem(good), None, "{good:?}");
    }
    for bad in [
        " Admin",
        "Admin ",
        " spaced ",
        "Admin\u{a0}",
        "\u{3000}Admin",
    ] {
        assert_eq!(
            role_problem(bad),
            Some("it starts or ends with whitespace, which a config value cannot keep"),
            "{bad:?}"
        );
    }
    for bad in ["Admin\n", "Ad\rmin", "Ad\x1bmin", "Ad\u{85}min", "\tAdmin"] {
        assert_eq!(
            role_problem(bad),
            Some("it has control characters"),
            "{bad:?}"
        );
    }
}
