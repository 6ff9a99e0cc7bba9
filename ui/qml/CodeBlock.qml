import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A fenced code block: monospace, scrolls sideways, with a copy button.
Rectangle {
    id: block
    required property Theme theme
    required property string code
    required property string language
    signal copyRequested(string text)

    implicitHeight: column.implicitHeight + 16
    radius: 8
    color: theme.codeBackground
    border.color: theme.border

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 8
        spacing: 4
        RowLayout {
            Layout.fillWidth: true
            Label {
                text: block.language.length > 0 ? block.language : qsTr("code")
                color: block.theme.muted
                font.pixelSize: 11
                Layout.fillWidth: true
            }
            ToolButton {
                objectName: "copyCodeButton"
                text: qsTr("Copy")
                font.pixelSize: 11
                Accessible.name: qsTr("Copy code block")
                onClicked: block.copyRequested(block.code)
            }
        }
        Flickable {
            Layout.fillWidth: true
            implicitHeight: codeText.implicitHeight
            contentWidth: codeText.implicitWidth
            clip: true
            flickableDirection: Flickable.HorizontalFlick
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.horizontal: ScrollBar {}
            TextEdit {
                id: codeText
                objectName: "codeText"
                text: block.code
                readOnly: true
                selectByMouse: true
                font.family: block.theme.monoFont
                font.pixelSize: 13
                color: block.theme.text
                selectionColor: block.theme.selection
                textFormat: TextEdit.PlainText
                Accessible.name: qsTr("Code: %1").arg(block.code)
            }
        }
    }
}
