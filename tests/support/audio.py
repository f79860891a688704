"""Small real recordings for tests, written without an encoder: an OGG/Opus voice note as
Telegram sends them (silence, in 20 ms Opus frames) and a PCM WAV file."""

from __future__ import annotations

import io
import struct
import wave

SAMPLE_RATE = 48_000  # Opus granule positions always count 48 kHz samples
FRAME = 960  # 20 ms
PRE_SKIP = 312


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_TABLE = _crc_table()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) ^ _TABLE[((crc >> 24) ^ byte) & 0xFF]) & 0xFFFFFFFF
    return crc


def _page(packets: list[bytes], granule: int, sequence: int, flags: int, serial: int) -> bytes:
    lacing = b""
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, sequence, 0, len(lacing))
    page = bytearray(header + lacing + b"".join(packets))
    struct.pack_into("<I", page, 22, _ogg_crc(bytes(page)))
    return bytes(page)


def ogg_opus_silence(seconds: float = 1.0, serial: int = 0x4D555348) -> bytes:
    """A mono OGG/Opus file of ``seconds`` of silence (what a voice note's container is)."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, PRE_SKIP, SAMPLE_RATE, 0, 0)
    vendor = b"musharaka tests"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    # TOC 0xF8: CELT-only, fullband, 20 ms, mono, one frame; the frame itself is empty
    # (RFC 6716 3.2.1: a zero-length frame, decoded as silence).
    frames = round(seconds * SAMPLE_RATE / FRAME)
    out = io.BytesIO()
    out.write(_page([head], 0, 0, 0x02, serial))
    out.write(_page([tags], 0, 1, 0x00, serial))
    sequence, written = 2, 0
    while written < frames:
        count = min(50, frames - written)  # one second per page
        written += count
        last = written == frames
        granule = PRE_SKIP + written * FRAME
        out.write(_page([b"\xf8"] * count, granule, sequence, 0x04 if last else 0, serial))
        sequence += 1
    return out.getvalue()


def wav_tone(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV file (a quiet square wave)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        samples = (800 if (n // 20) % 2 else -800 for n in range(int(seconds * rate)))
        file.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return out.getvalue()
