import QtQuick
import QtQuick.Controls

// A short notice at the bottom of the window (errors in plain words); hides itself.
Popup {
    id: toast
    objectName: "toast"
    required property Theme theme
    property string message: ""

    function show(text) {
        message = text
        open()
        hideTimer.restart()
    }

    x: (parent.width - width) / 2
    y: parent.height - height - 96
    width: Math.min(implicitWidth, parent.width - 48)
    padding: 12
    // Not CloseOnEscape: Qt Quick Controls blocks the window's shortcuts (Esc, Ctrl+N) while
    // a popup that closes on Escape is open.
    closePolicy: Popup.CloseOnPressOutside
    background: Rectangle {
        radius: toast.theme.radius
        color: toast.theme.dark ? "#3b2325" : "#fdecea"
        border.color: toast.theme.danger
    }
    contentItem: Label {
        objectName: "toastText"
        text: toast.message
        color: toast.theme.text
        wrapMode: Text.Wrap
        Accessible.role: Accessible.AlertMessage
        Accessible.name: toast.message
    }
    Timer {
        id: hideTimer
        interval: 5000
        onTriggered: toast.close()
    }
}
