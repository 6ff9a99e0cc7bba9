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
    required property var models   // ModelListModel: GGUF files found in the usual folders
    required property var catalog  // ModelCatalog
    signal openModelRequested()
    signal browseHubRequested()
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
            Accessible.name: bar.engine.modelLoaded ? qsTr("Model %1; choose another").arg(bar.engine.modelName)
                                                    : qsTr("Choose a model")
            onClicked: modelMenu.popup(this, 0, height)

            Menu {
                id: modelMenu
                objectName: "modelMenu"
                Instantiator {
                    model: bar.models
                    delegate: MenuItem {
                        required property var model  // ModelListModel roles
                        text: model.name + "  ·  " + model.quantization + "  ·  "
                              + (model.sizeBytes / 1048576).toFixed(0) + " MiB"
                              + (model.hasVision ? qsTr("  ·  vision") : "")
                              + (model.hasAudio ? qsTr("  ·  audio") : "")
                        enabled: !model.broken
                        ToolTip.visible: hovered
                        ToolTip.text: model.broken ? model.error : model.path
                                      + (model.mmprojPath ? "\n+ " + model.mmprojPath : "")
                        Accessible.name: text
                        onTriggered: bar.engine.loadModel(model.path, model.mmprojPath)
                    }
                    onObjectAdded: (index, object) => modelMenu.insertItem(index, object)
                    onObjectRemoved: (index, object) => modelMenu.removeItem(object)
                }
                Instantiator {
                    model: bar.engine.serverModels
                    delegate: MenuItem {
                        required property string modelData
                        text: modelData + qsTr("  ·  server")
                        checkable: true
                        checked: bar.engine.remote && bar.engine.modelName === modelData
                        ToolTip.visible: hovered
                        ToolTip.text: bar.engine.serverUrl
                        Accessible.name: qsTr("%1 on %2").arg(modelData).arg(bar.engine.serverUrl)
                        onTriggered: bar.engine.useServerModel(modelData)
                    }
                    onObjectAdded: (index, object) => modelMenu.insertItem(index, object)
                    onObjectRemoved: (index, object) => modelMenu.removeItem(object)
                }
                MenuItem {
                    enabled: false
                    visible: bar.models.count === 0
                    height: visible ? implicitHeight : 0
                    text: bar.catalog.scanning ? qsTr("Looking for models…") : qsTr("No models found in the usual folders")
                }
                MenuSeparator {}
                MenuItem {
                    text: qsTr("Open a file… (Ctrl+O)")
                    onTriggered: bar.openModelRequested()
                }
                MenuItem {
                    objectName: "browseHubItem"
                    text: qsTr("Download from Hugging Face… (Ctrl+D)")
                    onTriggered: bar.browseHubRequested()
                }
                MenuItem {
                    text: qsTr("Look for models again")
                    onTriggered: bar.catalog.scan()
                }
            }
        }
        Badge {
            visible: bar.engine.modelLoaded && !bar.engine.remote
            text: bar.engine.quantization
            Accessible.name: qsTr("Quantization %1").arg(text)
        }
        Badge {
            objectName: "serverBadge"
            visible: bar.engine.remote
            text: qsTr("server %1").arg(bar.engine.deviceName)
            Accessible.name: qsTr("Answered by the server at %1").arg(bar.engine.serverUrl)
        }
        Badge {
            objectName: "visionBadge"
            visible: bar.engine.hasVision && !bar.engine.remote
            text: qsTr("vision")
        }
        // A server's model is only assumed to see and hear until its server says otherwise.
        Badge {
            visible: bar.engine.hasAudio && !bar.engine.remote
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
