"""Camera input through QtMultimedia: a live preview, QR codes read from its frames, and still photos.

`CameraView` shows one camera (QCamera → QMediaCaptureSession → the preview's QVideoSink). `CameraScanner`
reads QR codes from the frames that sink receives. The GUI thread only keeps a reference to a frame; finding
the code runs on the task runner's read pool (`read_qr_frame`): the frame is mapped and its brightness plane
handed to zxing-cpp without any conversion (for YUV formats the Y plane is already the grey picture), one
frame at a time and at most `CameraScanner.MAX_READS_PER_S` a second. While a frame is being read only the
newest frame that arrives is kept, so a slow reader drops frames instead of queueing seconds of video. A card
held in front of the camera is verified once, not thirty times a second: the same text again within
`CameraScanner.REPEAT_S` of its last sighting is not reported again.

QtMultimedia loads its FFmpeg plugin and looks for sound servers the first time anything asks about devices:
~160 ms on the GUI thread on the build machine. `warm_up` loads those libraries on a worker thread while the
login screen shows, after which the GUI thread's first `QMediaDevices.videoInputs()` takes ~1 ms.

Without a camera (the build machine has none, and no virtual camera device) the buttons say so and stay off;
the tests push `QVideoFrame`s made of a rendered card into the same sink the camera would feed.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLibrary, QLibraryInfo, QObject, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from console.gui.tasks import TaskRunner

if TYPE_CHECKING:  # QtMultimedia is imported where it is used: loading it takes ~0.1 s (see warm_up)
    from PySide6.QtMultimedia import QCamera, QCameraDevice, QVideoFrame, QVideoSink

logger = logging.getLogger(__name__)

_LOADED: list[QLibrary] = []  # kept alive: the libraries warm_up loaded
_WARM = threading.Lock()


def warm_up() -> None:
    """Load QtMultimedia and its FFmpeg plugin off the GUI thread (see the module docstring). Safe to repeat."""
    with _WARM:
        if _LOADED:
            return
        libraries = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "multimedia"
        paths = [*sorted(libraries.glob("libQt6Multimedia*.so.6")), *sorted(plugins.glob("*.so"))]
        for path in paths:  # Linux wheels; elsewhere the first use loads them (a one-off pause)
            library = QLibrary(str(path))
            if library.load():
                _LOADED.append(library)
            else:
                logger.info("could not preload %s: %s", path.name, library.errorString())
        import PySide6.QtMultimedia
        import PySide6.QtMultimediaWidgets  # noqa: F401


def camera_devices() -> list[QCameraDevice]:
    """The cameras this computer has now (QCameraDevice), default first; empty when there is none."""
    from PySide6.QtMultimedia import QMediaDevices

    devices = list(QMediaDevices.videoInputs())
    default = QMediaDevices.defaultVideoInput()
    devices.sort(key=lambda d: d != default)
    return devices


# ------------------------------------------------------------------------------------------------ frames
def _y_plane_formats() -> frozenset[object]:
    from PySide6.QtMultimedia import QVideoFrameFormat

    f = QVideoFrameFormat.PixelFormat
    return frozenset(
        {
            f.Format_YUV420P,
            f.Format_YUV422P,
            f.Format_YV12,
            f.Format_NV12,
            f.Format_NV21,
            f.Format_IMC1,
            f.Format_IMC2,
            f.Format_IMC3,
            f.Format_IMC4,
            f.Format_Y8,
        }
    )


def frame_luma(frame: QVideoFrame) -> tuple[bytes, int, int, int, int] | None:
    """The frame's brightness as (bytes, width, height, row stride, pixel stride); None for a frame that
    cannot be read on the CPU. Runs on a worker: mapping a frame and copying its bytes are thread-safe."""
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    copy = QVideoFrame(frame)
    if not copy.isValid() or not copy.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        width, height = copy.width(), copy.height()
        pixel = copy.pixelFormat()
        f = QVideoFrameFormat.PixelFormat
        if pixel in _y_plane_formats():
            stride = copy.bytesPerLine(0)
            return bytes(copy.bits(0))[: stride * height], width, height, stride, 1
        if pixel in (f.Format_YUYV, f.Format_UYVY):  # packed 4:2:2: every other byte is a Y
            stride = copy.bytesPerLine(0)
            data = bytes(copy.bits(0))[: stride * height]
            offset = 0 if pixel == f.Format_YUYV else 1
            return data[offset:], width, height, stride, 2
        image_format = QVideoFrameFormat.imageFormatFromPixelFormat(pixel)
        if image_format == QImage.Format.Format_Invalid:
            return None
        image = QImage(bytes(copy.bits(0)), width, height, copy.bytesPerLine(0), image_format)
        grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
        return bytes(grey.constBits()), width, height, grey.bytesPerLine(), 1
    finally:
        copy.unmap()


def read_qr_frame(frame: QVideoFrame) -> str | None:
    """The text of the first QR code in a video frame, or None (read pool)."""
    import zxingcpp

    luma = frame_luma(frame)
    if luma is None:
        return None
    data, width, height, stride, step = luma
    # zxing-cpp's stub names a numpy array (once numpy is installed); any buffer works
    view = zxingcpp.ImageView(memoryview(data), width, height, zxingcpp.ImageFormat.Lum, stride, step)  # type: ignore[arg-type]
    results = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]))
    return next((r.text for r in results if r.valid and r.text), None)


def frame_image(frame: QVideoFrame) -> QImage:
    """A frame as a colour picture (for a photo). Runs on the GUI thread: Qt may convert through the GPU there.
    One conversion per click, ~3 ms for 1280×720 here."""
    from PySide6.QtMultimedia import QVideoFrame

    return QVideoFrame(frame).toImage()


class CameraScanner(QObject):
    """Reads QR codes from the frames a video sink receives; `scanned(text)` once per card shown."""

    scanned = Signal(str)
    MAX_READS_PER_S = 8
    REPEAT_S = 3.0

    def __init__(self, runner: TaskRunner, sink: QVideoSink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._active = False
        self._busy = False
        self._pending: QVideoFrame | None = None
        self._last_read = 0.0
        self._last_text = ""
        self._last_seen = 0.0
        self.frames_read = 0
        sink.videoFrameChanged.connect(self._on_sink_frame)

    def set_active(self, active: bool) -> None:
        self._active = active
        if not active:
            self._pending = None
            self._last_text = ""

    def _on_sink_frame(self, frame: QVideoFrame) -> None:
        if not self._active:
            return
        if self._busy or time.monotonic() - self._last_read < 1 / self.MAX_READS_PER_S:
            self._pending = frame  # the newest only; read when the reader is free (next frame or answer)
            return
        self._read(frame)

    def _read(self, frame: QVideoFrame) -> None:
        self._busy = True
        self._pending = None
        self._last_read = time.monotonic()
        self._runner.read("camera frame", read_qr_frame, frame).then(self, self._on_read, self._on_failed)

    def _on_read(self, text: object) -> None:
        self._busy = False
        self.frames_read += 1
        if self._active and isinstance(text, str):
            now = time.monotonic()
            repeated = text == self._last_text and now - self._last_seen < self.REPEAT_S
            self._last_text, self._last_seen = text, now
            if not repeated:
                self.scanned.emit(text)
        pending, self._pending = self._pending, None
        if pending is not None and self._active:
            self._on_sink_frame(pending)

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        logger.warning("a camera frame could not be read: %s", exc)


class CameraView(QWidget):
    """A camera's live picture. `start()` opens the default camera (False when there is none); errors and
    the camera's state come back as `failed(sentence)` and `running_changed(bool)`."""

    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QMediaCaptureSession
        from PySide6.QtMultimediaWidgets import QVideoWidget

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.video = QVideoWidget()
        self.video.setAccessibleName(self.tr("Camera picture"))
        self.video.setMinimumSize(320, 240)
        layout.addWidget(self.video, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.hide()
        layout.addWidget(self.status)
        self._session = QMediaCaptureSession(self)
        self._session.setVideoOutput(self.video)
        self._camera: QCamera | None = None

    @property
    def sink(self) -> QVideoSink:
        """Where frames arrive (the preview's own QVideoSink): a scanner listens here, tests feed it."""
        sink = self.video.videoSink()
        assert sink is not None
        return sink

    @property
    def running(self) -> bool:
        return self._camera is not None

    def start(self) -> bool:
        from PySide6.QtMultimedia import QCamera

        if self._camera is not None:
            return True
        devices = camera_devices()
        if not devices:
            return False
        camera = QCamera(devices[0], self)
        camera.errorOccurred.connect(self._on_camera_error)
        self._session.setCamera(camera)
        self._camera = camera
        camera.start()
        self.status.hide()
        self.running_changed.emit(True)
        return True

    def stop(self) -> None:
        camera, self._camera = self._camera, None
        if camera is None:
            return
        camera.stop()
        self._session.setCamera(None)  # type: ignore[arg-type]
        camera.deleteLater()
        self.running_changed.emit(False)

    def latest_frame(self) -> QVideoFrame:
        """The frame shown now (invalid before the first)."""
        return self.sink.videoFrame()

    def _on_camera_error(self, _error: object, text: str) -> None:
        logger.warning("camera error: %s", text)
        self.stop()
        sentence = self.tr("The camera stopped: {reason}. Check its cable, or close other programs using it.").format(
            reason=text or self.tr("no reason given")
        )
        self.status.setText(sentence)
        self.status.show()
        self.failed.emit(sentence)


class CameraPhotoDialog(QDialog):
    """Take a photo with the camera: its live picture, "Take photo" and "Cancel". Opened with `open()` (not
    `exec()`), so no event loop nests and tests drive it like any widget; `taken(QImage)` carries the still."""

    taken = Signal(QImage)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Take a photo"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "The person looks into the camera, face and shoulders in the picture, in even light. The "
                    "photo is cropped to a portrait around the face's usual place."
                )
            )
        )
        self.view = CameraView()
        self.view.setMinimumSize(480, 360)
        layout.addWidget(self.view, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.take_button = buttons.addButton(self.tr("Take photo"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.take_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.take)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.view.failed.connect(self.message.setText)

    def start(self) -> bool:
        """Start the camera; False (and the dialog says so) when there is none."""
        if self.view.start():
            return True
        self.message.setText(self.tr("No camera is connected to this computer."))
        self.take_button.setEnabled(False)
        return False

    def take(self) -> None:
        frame = self.view.latest_frame()
        if not frame.isValid():
            self.message.setText(self.tr("No picture from the camera yet; wait a moment and try again."))
            return
        image = frame_image(frame)
        if image.isNull():
            self.message.setText(self.tr("The camera's picture could not be read; try again."))
            return
        self.taken.emit(image)
        self.accept()

    def done(self, result: int) -> None:
        self.view.stop()  # the camera's light goes off with the dialog
        super().done(result)


def image_jpeg(image: QImage) -> bytes:
    """A still as JPEG bytes (read pool: QImage encodes on any thread)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    if not rgb.save(buffer, "JPEG", 92):  # type: ignore[call-overload]  # the stubs say bytes; PySide wants str
        raise ValueError("the camera's picture could not be encoded")
    return bytes(data.data())
