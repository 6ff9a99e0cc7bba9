import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// What went wrong with the conversation history when the app opened it (a damaged file moved
// aside, a file from a newer Prism, a folder in its place): said once at the top of the window,
// with where the old file is, until the user dismisses it. Later history errors go to the toast.
Rectangle {
    id: banner
    objectName: "historyBanner"
    required property Theme theme
    // ConversationStore: recoveryNotice after a recovery, openError while it is not open.
    required property var history
    property bool dismissed: false

    readonly property string message: history.recoveryNotice.length > 0 ? history.recoveryNotice
                                                                         : history.openError
    visible: message.length > 0 && !dismissed
    implicitHeight: visible ? row.implicitHeight + 20 : 0
    color: theme.dark ? "#3b2f1a" : "#fff4dc"
    border.color: theme.dark ? "#8a6d2f" : "#d9a441"

    Accessible.role: Accessible.AlertMessage
    Accessible.name: message

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: 16
        anchors.rightMargin: 8
        spacing: 8

        Label {
            objectName: "historyNoticeText"
            text: banner.message
            color: banner.theme.text
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            Layout.fillWidth: true
        }
        ToolButton {
            objectName: "historyNoticeDismiss"
            text: qsTr("Dismiss")
            Accessible.name: qsTr("Dismiss the history notice")
            onClicked: banner.dismissed = true
        }
    }
}
