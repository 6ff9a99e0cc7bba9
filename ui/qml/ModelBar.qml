import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// The bar above the chat: the loaded model with its vision/audio badges, load progress with
// cancel, and the buttons for model info and settings.
Rectangle {
    id: bar
    required property Theme theme
    required property EngineController engine
    signal openModelRequested()
    signal infoRequested()
    signal settingsRequested()

    implicitHeight: 56
    color: theme.surface
    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: 1
        color: bar.theme.border
    }

    component Badge: Rectangle {
        property alias text: badgeLabel.text
        implicitWidth: badgeLabel.implicitWidth + 14
        implicitHeight: 22
        radius: 11
        color: "transparent"
        border.color: bar.theme.accent
        Label {
            id: badgeLabel
            anchors.centerIn: parent
            color: bar.theme.accent
            font.pixelSize: 11
            font.bold: true
        }
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 16
        anchors.rightMargin: 12
        spacing: 10

        Button {
            objectName: "modelButton"
            flat: true
            text: bar.engine.modelLoaded ? bar.engine.modelName
                  : bar.engine.status === EngineController.Loading ? qsTr("Loading…")
                  : qsTr("Open a model…")
            font.bold: true
            font.pixelSize: 15
            Accessible.name: bar.engine.modelLoaded ? qsTr("Model %1; open another (Ctrl+O)").arg(bar.engine.modelName)
                                                    : qsTr("Open a model (Ctrl+O)")
            onClicked: bar.openModelRequested()
        }
        Badge {
            visible: bar.engine.modelLoaded
            text: bar.engine.quantization
            Accessible.name: qsTr("Quantization %1").arg(text)
        }
        Badge {
            objectName: "visionBadge"
            visible: bar.engine.hasVision
            text: qsTr("vision")
        }
        Badge {
            visible: bar.engine.hasAudio
            text: qsTr("audio")
        }

        ProgressBar {
            objectName: "loadProgress"
            visible: bar.engine.status === EngineController.Loading
            value: bar.engine.loadProgress
            Layout.preferredWidth: 200
            Accessible.name: qsTr("Loading model, %1 percent").arg(Math.round(value * 100))
        }
        Button {
            objectName: "cancelLoadButton"
            visible: bar.engine.status === EngineController.Loading
            text: qsTr("Cancel")
            Accessible.name: qsTr("Cancel loading the model")
            onClicked: bar.engine.cancelLoad()
        }

        Item { Layout.fillWidth: true }

        ToolButton {
            text: qsTr("Model info")
            enabled: bar.engine.modelLoaded
            Accessible.name: qsTr("Show model information")
            onClicked: bar.infoRequested()
        }
        ToolButton {
            text: qsTr("Settings")
            Accessible.name: qsTr("Open settings")
            onClicked: bar.settingsRequested()
        }
    }
}
