import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// Name, architecture, quantization, size, context and abilities of the loaded model.
Dialog {
    id: dialog
    required property Theme theme
    required property EngineController engine
    title: qsTr("Model information")
    modal: true
    standardButtons: Dialog.Close
    anchors.centerIn: parent

    ColumnLayout {
        spacing: 6
        Repeater {
            model: [
                [qsTr("Name"), dialog.engine.modelName],
                [qsTr("Architecture"), dialog.engine.architecture],
                [qsTr("Quantization"), dialog.engine.quantization],
                [qsTr("File size"), dialog.engine.fileSize],
                [qsTr("Context"), qsTr("%1 tokens (trained for %2)").arg(dialog.engine.sessionContext).arg(dialog.engine.contextLength)],
                [qsTr("Vision"), dialog.engine.hasVision ? qsTr("yes (%1)").arg(dialog.engine.mmprojPath)
                                 : dialog.engine.visionNote.length > 0 ? dialog.engine.visionNote
                                 : qsTr("no (no mmproj loaded)")],
                [qsTr("Audio"), dialog.engine.hasAudio ? qsTr("yes") : qsTr("no")],
                [qsTr("Device"), dialog.engine.deviceName],
                [qsTr("File"), dialog.engine.modelPath]
            ]
            delegate: RowLayout {
                required property var modelData
                spacing: 16
                Label {
                    text: modelData[0]
                    color: dialog.theme.muted
                    Layout.preferredWidth: 100
                }
                Label {
                    text: modelData[1]
                    color: dialog.theme.text
                    wrapMode: Text.WrapAnywhere
                    Layout.maximumWidth: 420
                    Accessible.name: modelData[0] + ": " + modelData[1]
                }
            }
        }
    }
}
