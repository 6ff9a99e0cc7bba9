#pragma once

// Finding the window's items as a user sees them: by objectName, in the scene (delegates
// included).

#include <QList>
#include <QString>

class QQuickItem;
class QQuickWindow;

namespace prism::ui::test {

QList<QQuickItem*> items_named(QQuickWindow* window, const QString& name);

// The texts of the visible items named `name` (Labels' text property), one per item.
QStringList visible_texts(QQuickWindow* window, const QString& name);

// What the chat view shows of all messages, as plain text after Markdown rendering.
QString visible_message_text(QQuickWindow* window);

// Counts the visible controls under `item` a user can reach (buttons, text fields and areas,
// combo boxes, spin boxes, sliders) and adds "Class/objectName" to `unnamed` for each one a
// screen reader cannot name.
void find_unnamed_controls(QQuickItem* item, int& controls, QStringList& unnamed);

}  // namespace prism::ui::test
