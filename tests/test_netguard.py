"""is_public_address: the SSRF guard for any future run-time feed command."""

from __future__ import annotations

import pytest

from bot.feeds.guard import is_public_address, is_public_host, is_public_ip


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254",  # cloud metadata: link-local
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0", "255.255.255.255", "224.0.0.1", "240.0.0.1",
        "192.0.2.10", "198.51.100.1", "203.0.113.5",  # documentation ranges
        "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1",  # IPv4-mapped
        "2002:0a00:0001::1",  # 6to4 wrapping 10.0.0.1
        "2001:db8::1",  # documentation
        "not-an-ip",
    ],
)
def test_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_ip(address)
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["1.1.1.1", "8.8.8.8", "93.184.216.34", "2606:4700:4700::1111",
                "::ffff:8.8.8.8"],
)
def test_global_addresses_are_public(address: str) -> None:
    assert is_public_ip(address)
    assert is_public_address(address)


def test_urls_are_reduced_to_their_host() -> None:
    assert not is_public_address("http://127.0.0.1:8080/feed.xml")
    assert not is_public_address("https://[::1]/rss")
    assert is_public_address("https://1.1.1.1/rss")
    assert not is_public_address("file:///etc/passwd")  # no host at all


def test_localhost_resolves_to_loopback() -> None:
    # /etc/hosts answers this: no DNS traffic leaves the machine.
    assert not is_public_address("localhost")


def test_names_are_judged_by_every_address_they_resolve_to() -> None:
    answers = {
        "feeds.example": ["93.184.216.34", "2606:2800:220:1::1"],
        "mixed.example": ["93.184.216.34", "10.0.0.5"],  # one private answer is enough
        "empty.example": [],
    }

    def resolve(host: str) -> list[str]:
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    assert is_public_address("feeds.example", resolve)
    assert is_public_address("https://feeds.example/rss.xml", resolve)
    assert not is_public_address("mixed.example", resolve)
    assert not is_public_address("empty.example", resolve)
    assert not is_public_address("nowhere.example", resolve)


async def test_async_variant() -> None:
    assert not await is_public_host("127.0.0.1")
    assert await is_public_host("feeds.example", lambda host: ["1.1.1.1"])
