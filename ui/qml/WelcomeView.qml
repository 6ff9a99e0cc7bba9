import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// First start without a model: how to get one, and the shipped demo model.
Item {
    id: welcome
    required property Theme theme
    required property EngineController engine
    required property string demoModelPath
    signal openModelRequested()

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 64, 560)
        spacing: 16

        Label {
            text: qsTr("Welcome to Prism")
            font.pixelSize: 26
            font.bold: true
            color: welcome.theme.text
        }
        Label {
            objectName: "welcomeText"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: welcome.theme.text
            font.pixelSize: 15
            textFormat: Text.StyledText
            text: qsTr("Prism runs GGUF models (the files made for llama.cpp) on your own GPU; download one from Hugging Face, for example <b>SmolVLM-256M-Instruct</b> (small, sees images) or <b>Qwen2.5-VL-3B-Instruct</b> (reads photos and documents), together with its <i>mmproj</i> file. Open it with Ctrl+O or drop the file onto this window, or try the tiny demo model below, which writes short children's stories and works offline.")
        }
        RowLayout {
            spacing: 12
            Button {
                objectName: "loadDemoButton"
                visible: welcome.demoModelPath.length > 0
                highlighted: true
                text: qsTr("Load the demo model (stories260K)")
                Accessible.name: text
                onClicked: welcome.engine.loadModel(welcome.demoModelPath)
            }
            Button {
                text: qsTr("Open a model…")
                Accessible.name: qsTr("Open a model file")
                onClicked: welcome.openModelRequested()
            }
        }
    }
}
