"""Camera input: verify by holding a card in front of the camera, and a registration photo from a camera.

This machine has no camera and no virtual camera device (no /dev/video*, no v4l2loopback), so QCamera itself
cannot run here. Everything after it does: the tests render a real card (the core's PDF, rasterised), place it
in a 1280×720 camera-like picture, turned a little, and push it as `QVideoFrame`s (RGB and NV12, the two kinds
of frame a camera delivers) into the same `QVideoSink` the camera feeds. The frames are read on the task
runner, the verdict arrives on the screen, and the GUI thread's heartbeat stays under 100 ms throughout. And a
real video source: a motion-JPEG stream of the same pictures, decoded by QtMultimedia's FFmpeg backend
(QMediaPlayer) into the camera picture, frames arriving in YUV at the stream's pace as a webcam's do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from console.core import cardservice, issuance, scanning
from console.core.accounts import Session
from console.core.credentials import Verdict
from console.core.office import Office
from console.core.registry import PersonInput, register
from console.gui import camera
from console.gui.pages.register import PHOTO_SIZE_PX, RegisterPage
from console.gui.pages.verify import VerifyPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, wait_idle
from tests.gui.heartbeat import Heartbeat

FRAME = QSize(1280, 720)


def issued_card(clerk: Session, family: str, given: str) -> str:
    number = str(register(clerk, PersonInput(family, given, "1984-03-09", "F", "SWE"))["id_number"])
    issuance.issue(clerk, number)
    return number


def card_picture(clerk: Session, number: str) -> QImage:
    """The card's front as the core renders it, rasterised at about 8 pixels a millimetre (a webcam's view of
    a card held 20 cm away)."""
    import pypdfium2

    pdf = cardservice.card_pdf(clerk, [number])
    with scanning.PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf)
        page = document[0]
        picture = page.render(scale=8 * 25.4 / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
        page.close()
        document.close()
    data = picture.tobytes()
    return QImage(data, picture.width, picture.height, picture.width * 3, QImage.Format.Format_RGB888).copy()


def camera_frame(card: QImage | None, turn: float = 6.0) -> QImage:
    """A camera's picture: a grey desk with the card near the middle, turned a little (or no card)."""
    frame = QImage(FRAME, QImage.Format.Format_RGB32)
    frame.fill(QColor(96, 104, 112))
    if card is not None:
        painter = QPainter(frame)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.translate(FRAME.width() / 2 + 40, FRAME.height() / 2 - 10)
        painter.rotate(turn)
        painter.drawImage(-card.width() // 2, -card.height() // 2, card)
        painter.end()
    return frame


def nv12_frame(picture: QImage) -> QVideoFrame:
    """The picture as the NV12 frame a webcam delivers (brightness plane, then colour at half size)."""
    grey = picture.convertToFormat(QImage.Format.Format_Grayscale8)
    frame = QVideoFrame(QVideoFrameFormat(picture.size(), QVideoFrameFormat.PixelFormat.Format_NV12))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    luma, stride = frame.bits(0), frame.bytesPerLine(0)
    for y in range(picture.height()):
        luma[y * stride : y * stride + picture.width()] = bytes(grey.constScanLine(y))[: picture.width()]
    chroma = frame.bits(1)
    chroma[:] = b"\x80" * len(chroma)
    frame.unmap()
    return frame


@pytest.fixture
def two_cards(session_of: Callable[[str], Session]) -> list[tuple[str, QImage]]:
    clerk = session_of("clerk")
    return [(n, camera_frame(card_picture(clerk, n))) for n in (issued_card(clerk, f, g) for f, g in CARDS)]


CARDS = (("Lindqvist", "Åsa"), ("Okafor", "Ngozi"))


def test_the_frame_reader_finds_the_card_in_rgb_and_nv12_frames(
    gui_app: Any, session_of: Callable[[str], Session]
) -> None:
    clerk = session_of("clerk")
    number = issued_card(clerk, *CARDS[0])
    qr = issuance.current_credential(clerk, number)["qr"]
    picture = camera_frame(card_picture(clerk, number))
    assert camera.read_qr_frame(QVideoFrame(picture)) == qr
    assert camera.read_qr_frame(nv12_frame(picture)) == qr
    assert camera.read_qr_frame(QVideoFrame(camera_frame(None))) is None  # an empty desk
    assert camera.read_qr_frame(QVideoFrame()) is None  # no frame yet


def test_verify_by_camera_checks_each_card_once_and_keeps_the_gui_responsive(
    qtbot: Any, window: ConsoleWindow, log_in: Any, two_cards: list[tuple[str, QImage]]
) -> None:
    workspace = log_in("super")
    workspace.open("verify")
    page = workspace.page("verify")
    assert isinstance(page, VerifyPage)
    view = page.ensure_camera_view()
    assert page.scanner is not None
    verdicts: list[Verdict] = []
    page.verified.connect(verdicts.append)
    page.scanner.set_active(True)  # what "Scan with camera" does once QCamera runs (no camera here)
    view.show()

    (first, first_frame), (second, second_frame) = two_cards
    started = time.monotonic()
    with Heartbeat() as beat:
        # 30 frames a second for a second: the card held in front of the camera; checked once.
        for index in range(30):
            frame = QVideoFrame(first_frame) if index % 2 else nv12_frame(first_frame)
            view.sink.setVideoFrame(frame)
            qtbot.wait(33)
        qtbot.waitUntil(lambda: len(verdicts) == 1 and not page.checking, timeout=TASK_TIMEOUT_MS)
        assert page.verdict_title.text() == "VALID"
        assert page.last_verdict is not None and page.last_verdict.claims["id_number"] == first
        # An empty desk, then the next card: a new verdict.
        for picture in [camera_frame(None)] * 5 + [second_frame] * 10:
            view.sink.setVideoFrame(QVideoFrame(picture))
            qtbot.wait(33)
        qtbot.waitUntil(lambda: len(verdicts) == 2 and not page.checking, timeout=TASK_TIMEOUT_MS)
        wait_idle(qtbot, window.runner)
    assert [v.claims["id_number"] for v in verdicts] == [first, second]
    # Throttled: at most MAX_READS_PER_S frames a second are read, the others dropped (45 frames were shown).
    elapsed = time.monotonic() - started
    assert 3 <= page.scanner.frames_read <= elapsed * page.scanner.MAX_READS_PER_S + 2
    beat.check()

    # Off: frames are no longer read; leaving the screen stops the camera.
    page.scanner.set_active(False)
    read = page.scanner.frames_read
    view.sink.setVideoFrame(QVideoFrame(first_frame))
    qtbot.wait(100)
    assert page.scanner.frames_read == read and len(verdicts) == 2


def test_without_a_camera_the_buttons_say_so(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    if camera.camera_devices():
        pytest.skip("this computer has a camera")
    workspace = log_in("clerk")
    verify = workspace.page("verify")
    register_page = workspace.page("register")
    assert isinstance(verify, VerifyPage) and isinstance(register_page, RegisterPage)
    qtbot.waitUntil(lambda: verify.camera_button.text() == "No camera found", timeout=TASK_TIMEOUT_MS)
    assert not verify.camera_button.isEnabled() and "No camera" in verify.camera_button.toolTip()
    qtbot.waitUntil(lambda: register_page.camera_photo_button.text() == "No camera found", timeout=TASK_TIMEOUT_MS)
    assert not register_page.camera_photo_button.isEnabled()
    # Asked anyway (a camera unplugged while the dialog opens): the dialog says so instead of failing.
    register_page.take_photo()
    dialog = register_page.photo_dialog
    assert dialog is not None and not dialog.take_button.isEnabled()
    assert "No camera" in dialog.message.text()
    dialog.reject()


def test_registration_photo_from_the_camera(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, session_of: Callable[[str], Session]
) -> None:
    workspace = log_in("clerk")
    page = workspace.page("register")
    assert isinstance(page, RegisterPage)
    page.take_photo()
    dialog = page.photo_dialog
    assert dialog is not None
    dialog.take()  # before the first frame: a sentence, not a crash
    assert "No picture from the camera yet" in dialog.message.text()

    face = QImage(FRAME, QImage.Format.Format_RGB32)  # a 16:9 webcam still: too wide for a card's portrait
    face.fill(QColor(200, 180, 160))
    painter = QPainter(face)
    painter.setBrush(QColor(120, 80, 60))
    painter.drawEllipse(540, 160, 200, 260)
    painter.end()
    dialog.view.sink.setVideoFrame(QVideoFrame(face))
    with qtbot.waitSignal(dialog.taken, timeout=TASK_TIMEOUT_MS):
        dialog.take()
    qtbot.waitUntil(lambda: page.photo_remove.isEnabled(), timeout=TASK_TIMEOUT_MS)
    photo = page.person().photo
    assert photo is not None
    still = QImage.fromData(photo)
    assert (still.width(), still.height()) == PHOTO_SIZE_PX  # cropped to the portrait, scaled
    assert page.photo_dialog is None  # closed, its camera stopped


def jpeg(picture: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert picture.save(buffer, "JPEG", 90)  # type: ignore[call-overload]
    return bytes(data.data())


def test_verify_from_a_real_video_stream(
    qtbot: Any, window: ConsoleWindow, log_in: Any, two_cards: list[tuple[str, QImage]], tmp_path: Any
) -> None:
    """A real video source: a motion-JPEG stream (what many USB webcams send) decoded by QtMultimedia's FFmpeg
    backend and played into the screen's camera picture, so the frames arrive as a camera's do (decoded YUV
    4:2:0, at the stream's own pace, on Qt's own threads) — not made by the test."""
    from PySide6.QtCore import QUrl
    from PySide6.QtMultimedia import QMediaPlayer

    workspace = log_in("super")
    workspace.open("verify")
    page = workspace.page("verify")
    assert isinstance(page, VerifyPage)
    view = page.ensure_camera_view()
    assert page.scanner is not None
    verdicts: list[Verdict] = []
    page.verified.connect(verdicts.append)
    page.scanner.set_active(True)
    view.show()
    (first, first_frame), (second, second_frame) = two_cards
    stream = tmp_path / "webcam.mjpeg"  # concatenated JPEG frames, 25 a second
    frames = [jpeg(first_frame)] * 40 + [jpeg(camera_frame(None))] * 10 + [jpeg(second_frame)] * 40
    stream.write_bytes(b"".join(frames))

    player = QMediaPlayer()
    player.setVideoOutput(view.video)
    formats: set[object] = set()
    view.sink.videoFrameChanged.connect(lambda frame: formats.add(frame.pixelFormat()))
    player.setSource(QUrl.fromLocalFile(str(stream)))
    player.play()
    qtbot.waitUntil(lambda: len(verdicts) == 2 and not page.checking, timeout=4 * TASK_TIMEOUT_MS)
    player.stop()
    assert [v.claims["id_number"] for v in verdicts] == [first, second]
    assert page.verdict_title.text() == "VALID"
    assert formats and formats <= camera._y_plane_formats()  # decoded YUV, read through its brightness plane
